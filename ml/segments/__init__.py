"""Behavioural customer clusters: KMeans (and a Gaussian mixture) on user features (issue 5)."""
