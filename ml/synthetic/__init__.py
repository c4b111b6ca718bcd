"""Synthetic Instacart Market Basket data with planted, known structure.

`generate(users, seed, out_dir)` writes the six Kaggle files (orders.csv,
order_products__prior.csv, order_products__train.csv, products.csv, aisles.csv,
departments.csv) in the real text format, plus `truth/` (personas, planted associations, exact
final-order probabilities, manifest.json). Same seed and user count -> byte-identical files.
See DESIGN.md section 4 and the module docstrings of personas/orders/baskets for the model.
"""

from __future__ import annotations

from ml.synthetic.generate import generate

__all__ = ["generate"]
