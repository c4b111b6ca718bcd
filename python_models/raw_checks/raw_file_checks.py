"""dbt Python model: great-expectations checks of the six raw files, as a node of the DAG.

Every staging model depends on this one (macro `validated_source`), so a plain `dbt build`
stops before reading invalid files. The checks themselves live in `ml.validate`; a stamp in
the validation cache makes a re-check of unchanged files instant.
"""

from ml.validate import ensure_valid, report_table


def model(dbt, session):
    dbt.config(materialized="table")
    report = ensure_valid(dbt.config.get("data_dir"), cache_dir=dbt.config.get("cache_dir"))
    return report_table(report)
