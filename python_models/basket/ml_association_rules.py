"""dbt Python model: FP-growth association rules over prior baskets (ml.basket)."""

from ml.basket.config import rule_settings
from ml.basket.pipeline import rules_table


def model(dbt, session):
    dbt.config(materialized="table", schema="ml", tags=["python", "ml"])
    lines = dbt.ref("fct_order_lines").filter("eval_set = 'prior'")
    orders = dbt.ref("fct_orders").project("order_id, eval_set")
    return rules_table(
        lines.project("order_id, product_id, user_id"),
        orders,
        rule_settings(
            {
                "min_support": dbt.config.get("min_support"),
                "min_orders": dbt.config.get("min_orders"),
                "min_product_users": dbt.config.get("min_product_users"),
                "max_len": dbt.config.get("max_len"),
                "min_confidence": dbt.config.get("min_confidence"),
                "max_baskets": dbt.config.get("max_baskets"),
                "seed": dbt.config.get("seed"),
            }
        ),
    )
