-- Every GB/T 28181 device id as the three 雪亮工程 feeds send it, with the id it stands for: the id itself
-- when it is valid, else the one valid id the feeds know that it is a known mistyping of (centre code of
-- another city, an impossible type or network code, a digit lost). The feeds check each other: a camera
-- mistyped in the catalogue is usually sent right by the status feed, and the other way round. A feed
-- that lists each camera once (catalogue, daily status) does not send the same camera twice, so a valid id
-- it already sends is no candidate for one of its mistyped ids.
with

catalogue as (
    select device_id, std_device_id, parent_id, 1 as in_catalogue, 0 as in_status
    from {{ ref('stg_xueliang__shexiangtou') }}
),

status as (
    select device_id, std_device_id, cast(null as {{ dbt.type_string() }}) as parent_id, 0 as in_catalogue,
        1 as in_status
    from {{ ref('stg_xueliang__zaixian') }}
),

captures as (
    select device_id, std_device_id, cast(null as {{ dbt.type_string() }}) as parent_id, 0 as in_catalogue,
        0 as in_status
    from {{ ref('stg_xueliang__zhuapai') }}
),

camera_codes as (
    select * from {{ ref('ref_camera_codes') }}
),

divisions as (
    select * from {{ ref('ref_divisions') }}
),

sent as (
    select
        device_id as device_id_as_sent,
        max(std_device_id) as std_device_id,
        max(parent_id) as parent_id,
        max(in_catalogue) as in_catalogue,
        max(in_status) as in_status
    from (
        select * from catalogue
        union all
        select * from status
        union all
        select * from captures
    ) as unioned
    where device_id is not null
    group by device_id
),

checked as (
    select
        sent.*,
        (sent.std_device_id is not null
            and divisions.division_code is not null
            and industry.code is not null
            and device_type.code is not null
            and network.code is not null) as is_valid_as_sent
    from sent
    left join divisions
        on {{ citylake.device_id_part('sent.std_device_id', 'district') }} = divisions.division_code
    left join camera_codes as industry
        on industry.code_kind = 'industry' and {{ citylake.device_id_part('sent.std_device_id', 'industry') }} = industry.code
    left join camera_codes as device_type
        on device_type.code_kind = 'type' and {{ citylake.device_id_part('sent.std_device_id', 'type') }} = device_type.code
    left join camera_codes as network
        on network.code_kind = 'network' and {{ citylake.device_id_part('sent.std_device_id', 'network') }} = network.code
),

known as (
    select std_device_id as device_id, max(in_catalogue) as in_catalogue, max(in_status) as in_status
    from checked
    where is_valid_as_sent
    group by std_device_id
),

broken as (
    select
        device_id_as_sent,
        parent_id,
        in_catalogue,
        in_status,
        {{ citylake.squish('device_id_as_sent') }} as digits
    from checked
    where not is_valid_as_sent
),

candidates as (
    -- centre code of another city: the rest of the id is intact
    select broken.device_id_as_sent, known.device_id, 'centre_code' as repair
    from broken
    inner join known
        on length(broken.digits) = 20
        and substr(known.device_id, 7) = substr(broken.digits, 7)
    where broken.parent_id is null or substr(known.device_id, 1, 10) = broken.parent_id
    union all
    -- no such type code
    select broken.device_id_as_sent, known.device_id, 'type_code' as repair
    from broken
    inner join known
        on length(broken.digits) = 20
        and substr(known.device_id, 1, 10) = substr(broken.digits, 1, 10)
        and substr(known.device_id, 14) = substr(broken.digits, 14)
    union all
    -- no such network code
    select broken.device_id_as_sent, known.device_id, 'network_code' as repair
    from broken
    inner join known
        on length(broken.digits) = 20
        and substr(known.device_id, 1, 13) = substr(broken.digits, 1, 13)
        and substr(known.device_id, 15) = substr(broken.digits, 15)
    {%- for position in range(1, 21) %}
    union all
    select broken.device_id_as_sent, known.device_id, 'digit_lost' as repair
    from broken
    inner join known
        on length(broken.digits) = 19
        and {{ citylake.without_char('known.device_id', position) }} = broken.digits
    {%- endfor %}
),

plausible as (
    -- The catalogue and the status feed list each camera once (per day): a mistyped id there is not a
    -- camera the same feed already sends under its valid id.
    select candidates.*
    from candidates
    inner join broken
        on candidates.device_id_as_sent = broken.device_id_as_sent
    inner join known
        on candidates.device_id = known.device_id
    where not (broken.in_catalogue = 1 and known.in_catalogue = 1)
        and not (broken.in_status = 1 and known.in_status = 1)
),

unambiguous as (
    select
        device_id_as_sent,
        min(device_id) as device_id,
        min(repair) as repair
    from plausible
    group by device_id_as_sent
    having count(distinct device_id) = 1
),

final as (
    select
        checked.device_id_as_sent,
        case when checked.is_valid_as_sent then checked.std_device_id else unambiguous.device_id end as device_id,
        checked.is_valid_as_sent,
        case when checked.is_valid_as_sent then 'as_sent' else coalesce(unambiguous.repair, 'unresolved') end
            as resolution
    from checked
    left join unambiguous
        on checked.device_id_as_sent = unambiguous.device_id_as_sent
)

select * from final
