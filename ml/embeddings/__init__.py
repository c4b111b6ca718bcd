"""Product embeddings (product2vec): gensim Word2Vec over prior baskets, nearest neighbours
by cosine, and their evaluation (same-aisle precision, planted complements)."""
