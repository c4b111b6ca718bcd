-- Start-up file of `make shell` (.venv/bin/duckdb -readonly -init scripts/shell_init.sql):
-- a short banner with the build and the marts of each public schema, read from the catalog
-- so marts added later show up by themselves. The shell is read-only: safe during a build.
.print 'instacart warehouse (read-only). Marts by schema; try: describe core.fct_orders;'
.mode list
.headers off
select
    '  ' || schema_name || ': ' || string_agg(table_name, ', ' order by table_name) as marts
from duckdb_tables()
where database_name = current_database()
    and schema_name in ('core', 'analytics', 'features', 'experiments', 'forecast', 'ml')
group by schema_name
order by schema_name;
-- The build stamp is read from the table comment: a file built by plain dbt has no meta schema.
select '  ' || comment
from duckdb_tables()
where database_name = current_database() and schema_name = 'meta' and table_name = 'build_info';
.print 'Examples: README "Open the warehouse in the DuckDB shell". .tables lists all, .exit quits.'
.headers on
.mode duckbox
