"""Hybrid next-basket recommender: reorder probabilities for repeat items blended with
cross-sell for new items (association rules, embedding neighbours, cluster popularity), the
"if you add X, suggest Y" table, and ranking evaluation against baselines."""
