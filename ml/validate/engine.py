"""great-expectations side: run a file's expectations on typed frames, results -> Failures."""

from __future__ import annotations

import json
import logging
from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.core.expectation_validation_result import (
    ExpectationSuiteValidationResult,
    ExpectationValidationResult,
)
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

from ml.validate.report import MAX_EXAMPLES, Example, Failure
from ml.validate.rules import Rule

# BASIC + include_unexpected_rows returns the first few failing rows with every column (the
# `line` column included), which is all a message needs. SUMMARY/COMPLETE would also build
# GX's unexpected-index list with a Python loop over *every* failing row: minutes when a
# whole 34M-row column is bad.
RESULT_FORMAT: dict[str, Any] = {
    "result_format": "BASIC",
    "partial_unexpected_count": MAX_EXAMPLES,
    "include_unexpected_rows": True,
}


class GxRunner:
    """One ephemeral GX context with a pandas data source; one dataframe asset per file."""

    def __init__(self) -> None:
        # GX logs config chatter at INFO/WARNING; our users only need our own report.
        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        self._context = gx.get_context(mode="ephemeral")
        # Metric progress bars would spam stderr once per chunk.
        self._context.variables.progress_bars = ProgressBarsConfig(
            globally=False, metric_calculations=False
        )
        self._source = self._context.data_sources.add_pandas(name="raw_files")
        self._batch_definitions: dict[str, Any] = {}
        self._suites: dict[str, gx.ExpectationSuite] = {}

    def _batch_definition(self, file: str) -> Any:
        if file not in self._batch_definitions:
            asset = self._source.add_dataframe_asset(name=file)
            self._batch_definitions[file] = asset.add_batch_definition_whole_dataframe("whole")
        return self._batch_definitions[file]

    def _suite(self, key: str, rules: list[Rule]) -> gx.ExpectationSuite:
        # Built once per file and reused for every chunk: building runs pydantic validation.
        if key not in self._suites:
            keys = {config_key(rule.expectation.configuration) for rule in rules}
            if len(keys) != len(rules):
                raise ValueError(f"duplicate expectations in the rules of {key}")
            suite = gx.ExpectationSuite(name=key)
            for rule in rules:
                suite.add_expectation(rule.expectation)
            self._suites[key] = suite
        return self._suites[key]

    def run(self, file: str, frame: pd.DataFrame, rules: list[Rule]) -> list[Failure]:
        """Validate `frame` (one chunk of `file`) against `rules`.

        Returns one Failure per rule, passing ones with failed == 0, so that row totals can be
        summed over chunks.
        """
        batch = self._batch_definition(file).get_batch(batch_parameters={"dataframe": frame})
        result: ExpectationSuiteValidationResult = batch.validate(
            self._suite(file, rules), result_format=RESULT_FORMAT
        )
        # Suites built in an ephemeral context carry no expectation ids, and GX reorders
        # results (errored expectations first), so match results to rules by configuration.
        by_config = {config_key(rule.expectation.configuration): rule for rule in rules}
        return [
            to_failure(file, by_config[config_key(o.expectation_config)], o) for o in result.results
        ]

    def check_header(self, file: str, found: list[str], expected: list[str]) -> Failure | None:
        """Exact header (names and order), checked by GX on a zero-row frame with those columns."""
        frame = pd.DataFrame({name: pd.Series(dtype="object") for name in found})
        if len(set(found)) != len(found):  # a dict cannot hold duplicate names; build directly
            frame = pd.DataFrame(columns=found)
        expectation = gxe.ExpectTableColumnsToMatchOrderedList(column_list=expected)
        batch = self._batch_definition(f"{file} (header)").get_batch(
            batch_parameters={"dataframe": frame}
        )
        outcome = batch.validate(expectation)
        if outcome.success:
            return None
        return Failure(
            file,
            "expect_table_columns_to_match_ordered_list",
            column="header",
            detail=f"expected {','.join(expected)}; found {','.join(found)}",
        )


def config_key(config: ExpectationConfiguration) -> str:
    """Identity of an expectation: its type and arguments (the batch id GX adds is dropped)."""
    kwargs = {k: v for k, v in config.kwargs.items() if k != "batch_id"}
    return json.dumps([config.type, kwargs], sort_keys=True, default=str)


def _raised(outcome: ExpectationValidationResult) -> str | None:
    """The exception message if GX could not evaluate the expectation at all."""
    info = outcome.exception_info or {}
    candidates = [info] if "raised_exception" in info else list(info.values())
    for item in candidates:
        if isinstance(item, dict) and item.get("raised_exception"):
            return str(item.get("exception_message") or "unknown error")
    return None


def to_failure(file: str, rule: Rule, outcome: ExpectationValidationResult) -> Failure:
    error = _raised(outcome)
    if error is not None:
        return Failure(file, rule.label, rule.column, detail=f"could not be checked: {error}")
    result = outcome.result or {}
    rows = result.get("unexpected_rows")
    examples: list[Example] = []
    if isinstance(rows, pd.DataFrame):
        for row in rows.head(MAX_EXAMPLES).to_dict("records"):
            examples.append(Example(int(row["line"]), rule.show(row)))
    return Failure(
        file,
        rule.label,
        rule.column,
        failed=int(result.get("unexpected_count") or 0),
        total=int(result.get("element_count") or 0),
        examples=examples,
    )
