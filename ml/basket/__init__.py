"""Association rules over prior baskets: mlxtend FP-growth on frequent products (issue 5)."""
