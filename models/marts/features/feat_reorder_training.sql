-- The reorder model's training and scoring base: one row per (user, candidate product,
-- target_offset), where candidates are the products the user bought before the target order
-- (offset 0 = final order; offset 1 = last prior order, training-data augmentation, only for
-- users with at least var reorder_augment_min_history_orders orders before it). Every
-- feature comes from the orders before the target (feat_user, feat_product,
-- feat_user_product, the user's aisle/department loyalty, the product's weekday/hour
-- profile) or from the target order's own context (weekday, hour, gap); the label
-- reordered_in_final is the only column that reads the target order's lines.
{%- set groups = reorder_feature_groups() %}
{%- set category_relations = {'ua': 'user_aisles', 'ud': 'user_departments'} %}
{%- set category_levels = {'ua': 'aisle', 'ud': 'department'} %}
with

targets as (
    select
        user_id,
        target_offset,
        order_id,
        eval_set,
        target_order_number,
        history_orders
    from {{ ref('feat_reorder_targets') }}
),

user_products as (
    select
        {%- for column in groups['user_product'] + groups['user_product_target'] %}
            {{ column }},
        {%- endfor %}
        target_offset,
        user_id,
        product_id,
        aisle_id,
        department_id
    from {{ ref('feat_user_product') }}
),

users as (
    select
        {%- for column in groups['user'] + groups['user_target'] %}
            {{ column }},
        {%- endfor %}
        target_offset,
        user_id
    from {{ ref('feat_user') }}
),

products as (
    select
        {%- for column in groups['product'] %}
            {{ column }},
        {%- endfor %}
        target_offset,
        product_id
    from {{ ref('feat_product') }}
),

order_lines as (
    select
        order_id,
        user_id,
        product_id,
        order_number,
        order_dow,
        order_hour_of_day
    from {{ ref('fct_order_lines') }}
),

training_targets as (
    -- offset 1 only where the user has enough history before it
    select
        user_id,
        target_offset,
        order_id,
        eval_set
    from targets
    where
        target_offset = 0
        or history_orders >= {{ var('reorder_augment_min_history_orders') }}
),

user_aisles as (
    {{ user_category_loyalty('user_products', 'aisle_id', 'ua') }}
),

user_departments as (
    {{ user_category_loyalty('user_products', 'department_id', 'ud') }}
),

product_time_slots as (
    -- every product's purchases by weekday and hour, over the orders before each target
    select
        targets.target_offset,
        order_lines.product_id,
        order_lines.order_dow,
        order_lines.order_hour_of_day,
        count(*) as purchases
    from order_lines
    inner join targets on {{ feature_history_condition('order_lines', 'targets') }}
    group by
        targets.target_offset,
        order_lines.product_id,
        order_lines.order_dow,
        order_lines.order_hour_of_day
),

product_dows as (
    select
        target_offset,
        product_id,
        order_dow,
        sum(purchases) as purchases
    from product_time_slots
    group by target_offset, product_id, order_dow
),

all_dows as (
    -- share of all purchases in each slot
    select
        target_offset,
        order_dow,
        {{ safe_divide('sum(purchases)', 'sum(sum(purchases)) over (partition by target_offset)') }}
            as purchase_share
    from product_time_slots
    group by target_offset, order_dow
),

product_hours as (
    select
        target_offset,
        product_id,
        order_hour_of_day,
        sum(purchases) as purchases
    from product_time_slots
    group by target_offset, product_id, order_hour_of_day
),

all_hours as (
    -- share of all purchases in each slot
    select
        target_offset,
        order_hour_of_day,
        {{ safe_divide('sum(purchases)', 'sum(sum(purchases)) over (partition by target_offset)') }}
            as purchase_share
    from product_time_slots
    group by target_offset, order_hour_of_day
),

target_lines as (
    -- the target orders' own lines: used for the label, and nothing else
    select
        targets.target_offset,
        order_lines.user_id,
        order_lines.product_id
    from order_lines
    inner join targets on order_lines.order_id = targets.order_id
),

joined as (
    select
        user_products.user_id,
        user_products.product_id,
        training_targets.order_id,
        user_products.target_offset,
        training_targets.eval_set,
        case
            when training_targets.eval_set = 'test' then null
            when target_lines.product_id is not null then 1
            else 0
        end as reordered_in_final,
        {%- for column in groups['user'] + groups['user_target'] %}
            users.{{ column }},
        {%- endfor %}
        {%- for column in groups['product'] %}
            products.{{ column }},
        {%- endfor %}
        {%- for column in groups['user_product'] + groups['user_product_target'] %}
            user_products.{{ column }},
        {%- endfor %}
        {%- for column in groups['user_category']['ua'] %}
            user_aisles.{{ column }},
        {%- endfor %}
        {%- for column in groups['user_category']['ud'] %}
            user_departments.{{ column }},
        {%- endfor %}
        {{ safe_divide('user_aisles.ua_purchases', 'users.u_total_purchases') }}
            as ua_share_of_user_purchases,
        {{ safe_divide(
            'user_aisles.ua_purchases',
            'users.u_total_purchases * products.p_aisle_purchase_share'
        ) }} as ua_purchase_share_lift,
        {{ safe_divide('user_products.up_times_bought', 'user_aisles.ua_purchases') }}
            as ua_product_share,
        {{ safe_divide('user_departments.ud_purchases', 'users.u_total_purchases') }}
            as ud_share_of_user_purchases,
        {{ safe_divide(
            'user_departments.ud_purchases',
            'users.u_total_purchases * products.p_department_purchase_share'
        ) }} as ud_purchase_share_lift,
        {{ safe_divide('user_products.up_times_bought', 'user_departments.ud_purchases') }}
            as ud_product_share,
        coalesce({{ safe_divide(
            'product_dows.purchases',
            'products.p_purchases * all_dows.purchase_share'
        ) }}, 0) as o_p_target_dow_lift,
        coalesce({{ safe_divide(
            'product_hours.purchases',
            'products.p_purchases * all_hours.purchase_share'
        ) }}, 0) as o_p_target_hour_lift
    from user_products
    inner join training_targets
        on
            user_products.target_offset = training_targets.target_offset
            and user_products.user_id = training_targets.user_id
    inner join users
        on
            user_products.target_offset = users.target_offset
            and user_products.user_id = users.user_id
    inner join products
        on
            user_products.target_offset = products.target_offset
            and user_products.product_id = products.product_id
    -- left joins (every pair has its aisle and department row) keep the optimiser from
    -- joining the two loyalty tables to each other first
    left join user_aisles
        on
            user_products.target_offset = user_aisles.target_offset
            and user_products.user_id = user_aisles.user_id
            and user_products.aisle_id = user_aisles.aisle_id
    left join user_departments
        on
            user_products.target_offset = user_departments.target_offset
            and user_products.user_id = user_departments.user_id
            and user_products.department_id = user_departments.department_id
    left join product_dows
        on
            user_products.target_offset = product_dows.target_offset
            and user_products.product_id = product_dows.product_id
            and users.o_order_dow = product_dows.order_dow
    left join all_dows
        on
            user_products.target_offset = all_dows.target_offset
            and users.o_order_dow = all_dows.order_dow
    left join product_hours
        on
            user_products.target_offset = product_hours.target_offset
            and user_products.product_id = product_hours.product_id
            and users.o_order_hour_of_day = product_hours.order_hour_of_day
    left join all_hours
        on
            user_products.target_offset = all_hours.target_offset
            and users.o_order_hour_of_day = all_hours.order_hour_of_day
    left join target_lines
        on
            user_products.target_offset = target_lines.target_offset
            and user_products.user_id = target_lines.user_id
            and user_products.product_id = target_lines.product_id
),

final as (
    -- keys, every feature (macro reorder_training_features, in table order), label last
    select
        user_id,
        product_id,
        order_id,
        target_offset,
        eval_set,
        {%- for column in reorder_training_features() %}
            {{ column }},
        {%- endfor %}
        cast(reordered_in_final as {{ dbt.type_int() }}) as reordered_in_final
    from joined
)

select
    user_id,
    product_id,
    order_id,
    target_offset,
    eval_set,
    {%- for column in reorder_training_features() %}
        {{ column }},
    {%- endfor %}
    reordered_in_final
from final
