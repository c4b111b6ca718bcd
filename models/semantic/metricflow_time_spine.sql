-- MetricFlow's day spine on the customers' own clock: day 0 to 9,999 since a first order
-- (the longest history is 99 gaps of at most 30 days), as dates from the fixed epoch
-- (macro customer_clock_date). Digits are crossed instead of a 10,000-row union.
with

digits as (
    {{ integer_series(0, 9, 'digit') }}
),

day_numbers as (
    select
        units.digit
        + 10 * tens.digit
        + 100 * hundreds.digit
        + 1000 * thousands.digit as day_number
    from digits as units
    cross join digits as tens
    cross join digits as hundreds
    cross join digits as thousands
),

final as (
    select
        {{ customer_clock_date('day_number') }} as date_day,
        cast(day_number as {{ dbt.type_int() }}) as day_number
    from day_numbers
)

select
    date_day,
    day_number
from final
