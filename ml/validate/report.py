"""Result types and the human-readable text of a validation run."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ml.validate.schema import RAW_FILES

# How many offending rows a message quotes; enough to locate the problem, short enough to read.
MAX_EXAMPLES = 3


@dataclass(frozen=True)
class Example:
    """One offending row: its 1-based line number in the file and what was wrong there."""

    line: int
    value: str


@dataclass
class Failure:
    """One failed rule on one file (and column, where the rule is about a column)."""

    file: str
    rule: str
    column: str | None = None
    failed: int = 0
    total: int = 0
    examples: list[Example] = field(default_factory=list)
    detail: str | None = None
    # Replaces the usual "file, column, rule: ..." text when that shape reads badly (empty files).
    message: str | None = None

    @property
    def failing(self) -> bool:
        """Rows broke the rule, or the rule is structural (missing file, bad header, ...)."""
        return self.failed > 0 or self.detail is not None or self.message is not None

    def merge(self, other: Failure) -> None:
        """Fold the result of the same rule on another chunk of the same file into this one."""
        if other.detail and not self.detail:
            self.detail = other.detail
        self.failed += other.failed
        self.total += other.total
        # Chunks arrive in any order; keep the earliest lines so messages are deterministic.
        merged = sorted({*self.examples, *other.examples}, key=lambda e: e.line)
        self.examples = merged[:MAX_EXAMPLES]

    def format(self) -> str:
        if self.message:
            return f"{self.message}, rule {self.rule}"
        where = self.file if self.column is None else f"{self.file}, column {self.column}"
        text = f"{where}, rule {self.rule}"
        if self.detail:
            text += f": {self.detail}"
        if self.failed:
            text += f": {self.failed:,} of {self.total:,} rows fail"
        if self.examples:
            text += ", e.g. " + "; ".join(f"line {e.line}: {e.value}" for e in self.examples)
        return text


@dataclass
class ValidationReport:
    """Outcome of validating one data directory."""

    data_dir: Path
    row_counts: dict[str, int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    from_cache: bool = False

    @property
    def success(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        """One OK line with row counts, or every failed rule, one per line."""
        if self.success:
            counts = ", ".join(f"{name} {self.row_counts.get(name, 0):,}" for name in RAW_FILES)
            cached = " (cached stamp)" if self.from_cache else ""
            return f"OK: raw data in {self.data_dir} is valid{cached}: {counts} rows"
        lines = [
            f"INVALID: raw data in {self.data_dir} failed {len(self.failures)} rule(s):",
            *(f"- {failure.format()}" for failure in self.failures),
        ]
        return "\n".join(lines)


class RawDataError(Exception):
    """Raised by `ensure_valid` when the raw files break a rule; the message is the full report."""

    def __init__(self, report: ValidationReport) -> None:
        super().__init__(report.summary())
        self.report = report
