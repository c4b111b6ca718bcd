"""Settings of a rule-mining run from the dbt model config (rendered vars)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ml.basket.rules import RuleSettings
from ml.segments.config import as_int


def rule_settings(config: Mapping[str, Any]) -> RuleSettings:
    """From the config values of ml_association_rules (keys as in its yml config)."""
    return RuleSettings(
        min_support=float(config["min_support"]),
        min_orders=as_int(config["min_orders"]),
        min_product_users=as_int(config["min_product_users"]),
        max_len=as_int(config["max_len"]),
        min_confidence=float(config["min_confidence"]),
        max_baskets=as_int(config["max_baskets"]),
        seed=as_int(config["seed"]),
    )
