-- 实有人口: one row per real person, as entity resolution (int_persons_linked) found them across every
-- person-bearing feed. Attributes come from the preferred record (户籍 first, then 流动, then a record
-- with a residence address, then the latest update); tags say which special groups the departments hold
-- the person in. A person must be named by a standard ID in at least one record: persons resolved only
-- from records without one (an unlinked caller, a resident whose every record has a broken ID) stay in
-- int_persons_linked and on the departments' correction lists.
{%- set groups = [
    ('is_community_correction', 'sifa.jiaozheng', '社区矫正'),
    ('is_released_prisoner', 'sifa.xingman', '刑满释放'),
    ('is_drug_user', 'gongan.xidu', '吸毒'),
    ('is_severe_mental_disorder', 'weijian.jingshen', '严重精神障碍'),
    ('is_key_youth', 'tuanwei.zhongdian_qingshaonian', '重点青少年'),
    ('is_low_income', 'minzheng.dibao', '低保特困'),
    ('is_disabled', 'canlian.canji', '残疾人'),
    ('is_veteran', 'tuiyi.junren', '退役军人'),
    ('is_left_behind_child', 'fulian.liushou_ertong', '留守儿童'),
    ('is_poverty_monitored', 'nongye.fanpin', '防返贫监测'),
] %}
with

linked as (
    select * from {{ ref('int_persons_linked') }}
),

records as (
    select * from {{ ref('int_persons_unioned') }}
),

houses as (
    select * from {{ ref('int_houses_deduplicated') }}
),

divisions as (
    select * from {{ ref('ref_divisions') }}
),

person_records as (
    select
        linked.person_id,
        linked.match_method,
        records.*
    from linked
    inner join records on linked.person_record_id = records.person_record_id
),

known as (
    select person_id
    from person_records
    group by person_id
    having max(case when std_id_number is not null then 1 else 0 end) = 1
),

ranked as (
    select
        person_records.*,
        row_number() over (
            partition by person_records.person_id
            order by
                case population_type when '户籍' then 0 when '流动' then 1 else 2 end,
                case when address_key is not null then 0 else 1 end,
                case when is_main_person then 0 else 1 end,
                updated_at desc nulls last,
                loaded_at desc,
                person_record_id desc
        ) as preference
    from person_records
    inner join known on person_records.person_id = known.person_id
),

preferred as (
    select * from ranked where preference = 1
),

person_feeds as (
    select distinct person_id, feed_id, department from ranked
),

feeds as (
    select
        person_id,
        {{ listagg('feed_id', "','", 'order by feed_id') }} as source_feeds,
        count(distinct department) as department_count
    from person_feeds
    group by person_id
),

departments as (
    select
        person_id,
        {{ listagg('department', "','", 'order by department') }} as source_departments
    from (select distinct person_id, department from person_feeds) as d
    group by person_id
),

across_records as (
    select
        person_id,
        max(case when population_type = '户籍' then 1 else 0 end) = 1 as is_hukou,
        max(case when population_type = '流动' then 1 else 0 end) = 1 as is_floating,
        max(case when role <> 'landlord' and role <> 'owner' and address_key is not null then 1 else 0 end) = 1
            as has_residence_address,
        {%- for column, feed, label in groups %}
        max(case when feed_id = '{{ feed }}' and is_main_person then 1 else 0 end) = 1 as {{ column }},
        {%- endfor %}
        max(case when role = 'deceased' then 1 else 0 end) = 1 as is_deceased,
        max(case when role = 'deceased' then coalesce(to_date, cast(updated_at as date)) end) as death_date,
        max(phone) as any_phone,
        max(name) as any_name,
        min(match_method) as any_match_method,
        max(case when match_method = 'id' then 1 else 0 end) = 1 as has_id_record,
        count(*) as record_count
    from ranked
    group by person_id
),

tag_rows as (
    select distinct
        person_id,
        case feed_id
            {%- for column, feed, label in groups %}
            when '{{ feed }}' then '{{ label }}'
            {%- endfor %}
        end as special_group
    from ranked
    where is_main_person
      and feed_id in ({% for column, feed, label in groups %}'{{ feed }}'{% if not loop.last %}, {% endif %}{% endfor %})
),

tags as (
    select
        person_id,
        {{ listagg('special_group', "','", 'order by special_group') }} as special_groups
    from tag_rows
    group by person_id
),

house_by_address as (
    select address_key, min(house_id) as house_id, min(grid_code) as grid_code
    from houses
    where address_key is not null
    group by address_key
),

final as (
    select
        preferred.person_id,
        coalesce(preferred.name, across_records.any_name) as name,
        preferred.sex,
        preferred.birth_date,
        coalesce(preferred.phone, across_records.any_phone) as phone,
        case
            when across_records.is_hukou then '户籍'
            when across_records.is_floating then '流动'
            when across_records.has_residence_address then '寄住'
        end as population_type,
        (across_records.is_hukou or across_records.is_floating or across_records.has_residence_address)
            as is_resident,
        preferred.household_id,
        preferred.relation_to_head,
        preferred.address_key,
        house_by_address.house_id,
        coalesce(preferred.division_code, substr(preferred.address_key, 1, 6)) as division_code,
        divisions.district_name,
        coalesce(preferred.grid_code, house_by_address.grid_code) as grid_code,
        {%- for column, feed, label in groups %}
        across_records.{{ column }},
        {%- endfor %}
        tags.special_groups,
        across_records.is_deceased,
        across_records.death_date,
        feeds.source_feeds,
        departments.source_departments,
        feeds.department_count,
        across_records.is_hukou,
        across_records.is_floating,
        across_records.has_id_record,
        across_records.record_count,
        preferred.person_record_id as preferred_record_id,
        preferred.updated_at
    from preferred
    inner join across_records on preferred.person_id = across_records.person_id
    inner join feeds on preferred.person_id = feeds.person_id
    inner join departments on preferred.person_id = departments.person_id
    left join tags on preferred.person_id = tags.person_id
    left join house_by_address on preferred.address_key = house_by_address.address_key
    left join divisions
        on coalesce(preferred.division_code, substr(preferred.address_key, 1, 6)) = divisions.division_code
)

select * from final
