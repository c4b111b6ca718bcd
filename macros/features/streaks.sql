{#- Streaks without a second aggregation level (gaps-and-islands would need one, which costs
    more than every other pair feature together at full scale).

    recent_orders_bitmask(distance): summed over a (user, product) history, sets bit d - 1 for
    every order d orders before the target (d = 1 is the last order before it) that contains
    the product, for the last `streak_horizon_orders` orders (62: fits a signed 64-bit int).

    trailing_ones(mask): the number of consecutive set bits from bit 0, i.e. how many of the
    latest orders in a row contained the product (the current streak, capped at the horizon).
    m + 1 turns the trailing ones into trailing zeros; (x & -x) isolates the lowest set bit;
    log2 of it counts the zeros. Bitwise AND is engine syntax, hence adapter.dispatch. -#}

{% macro streak_horizon_orders() -%}
    62
{%- endmacro %}

{% macro recent_orders_bitmask(distance) -%}
    case
        when {{ distance }} <= {{ streak_horizon_orders() }}
            then cast(power(2, {{ distance }} - 1) as {{ dbt.type_bigint() }})
        else 0
    end
{%- endmacro %}

{% macro trailing_ones(mask) -%}
    {{ return(adapter.dispatch('trailing_ones')(mask)) }}
{%- endmacro %}

{#- DuckDB and Spark SQL both spell bitwise AND on bigint as `&`. -#}
{% macro default__trailing_ones(mask) -%}
    cast(round(log2(({{ mask }} + 1) & (-({{ mask }} + 1)))) as {{ dbt.type_int() }})
{%- endmacro %}
