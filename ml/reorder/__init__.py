"""Reorder prediction: which previously bought products will a user reorder in the next order?

Plain functions over polars/arrow frames (each module one job); the dbt Python models
`python_models/reorder/ml_*.py` are thin adapters over `ml.reorder.pipeline`.

* frame     - the feature-table contract (keys, label, "every other column is a feature")
* split     - deterministic validation split by user (hash of user_id with a seed)
* train     - LightGBM training with early stopping on validation users
* scoring   - batched scoring of candidate rows
* f1        - exact expected-F1 basket optimiser (Ye et al. 2012), incl. the None token
* metrics   - ROC-AUC, PR-AUC, log loss, pair F1, Kaggle mean per-order F1
* baselines - last-basket and half-of-orders baselines
* oracle    - true final-order probabilities of synthetic data
* store     - model table row <-> Booster
* pipeline  - the tables the dbt models write
"""
