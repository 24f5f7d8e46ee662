-- One row per organisation (法人和其他组织, 个体工商户) by 统一社会信用代码, resolved across every feed that
-- names one. Each attribute comes from the first feed that has it, registers first (市场监管, 民政, 教体),
-- then 税务, then the supervision lists; the type is the one the credit code itself declares (GB 32100
-- 登记管理部门 + 机构类别), the flags say which departments list the organisation.
{%- set feeds = ['shichang.qiye', 'shichang.getihu', 'minzheng.shehui_zuzhi', 'jiaoti.xuexiao', 'shuiwu.nashuiren',
                 'yingji.weihua', 'xiaofang.zhongdian_danwei', 'jiaotong.cheliang', 'zhujian.xiaoqu', 'zhujian.wangqian'] %}
with

records as (
    select * from {{ ref('int_orgs_resolved') }}
),

uscc_types as (
    select * from {{ ref('ref_org_uscc_types') }}
),

counties as (
    select * from {{ ref('ref_divisions') }}
),

resolved as (
    select
        records.*,
        case when records.division_code in (select division_code from counties) then records.division_code end
            as known_division_code
    from records
    where uscc is not null
),

by_org as (
    select
        uscc,
        {{ citylake.first_by_key('name', 'source_feed', feeds) }} as name,
        {{ citylake.first_by_key('org_type_as_sent', 'source_feed', feeds) }} as org_type_as_sent,
        {{ citylake.first_by_key('legal_rep_name', 'source_feed', feeds) }} as legal_rep_name,
        {{ citylake.first_by_key('legal_rep_id_number', 'source_feed', feeds) }} as legal_rep_id_number,
        {{ citylake.first_by_key('address', 'source_feed', feeds) }} as address,
        {{ citylake.first_by_key('known_division_code', 'source_feed', feeds) }} as division_code_as_sent,
        {{ citylake.first_by_key('status', 'source_feed', feeds) }} as status,
        {{ citylake.first_by_key('established_date', 'source_feed', feeds) }} as established_date,
        {{ citylake.first_by_key('registered_capital', 'source_feed', feeds) }} as registered_capital,
        {{ citylake.first_by_key('taxpayer_type', 'source_feed', feeds) }} as taxpayer_type,
        {{ citylake.first_by_key('school_type', 'source_feed', feeds) }} as school_type,
        {{ citylake.first_by_key('students', 'source_feed', feeds) }} as students,
        max(case when source_feed = 'yingji.weihua' then 1 else 0 end) = 1 as is_hazardous_chemical,
        max(case when source_feed = 'xiaofang.zhongdian_danwei' then 1 else 0 end) = 1 as is_fire_key_unit,
        max(case when source_feed = 'shuiwu.nashuiren' then 1 else 0 end) = 1 as is_taxpayer,
        max(case when source_feed = 'jiaoti.xuexiao' then 1 else 0 end) = 1 as is_school,
        max(case when feed_priority = 1 then 1 else 0 end) = 1 as is_registered,
        count(*) as source_records,
        sum(case when uscc_resolution <> 'as_sent' then 1 else 0 end) as repaired_records
    from resolved
    group by uscc
),

feeds as (
    select uscc, {{ dbt.listagg('source_feed', "','", 'order by source_feed') }} as source_feeds
    from (select distinct uscc, source_feed from resolved) as distinct_feeds
    group by uscc
),

final as (
    select
        by_org.uscc,
        substr(by_org.uscc, 9, 9) as org_code,
        by_org.name,
        coalesce(uscc_types.org_type, by_org.org_type_as_sent) as org_type,
        uscc_types.authority as registration_authority,
        case
            when by_org.is_school then 'school'
            when coalesce(uscc_types.org_type, by_org.org_type_as_sent) in ('企业', '农民专业合作社') then 'enterprise'
            when coalesce(uscc_types.org_type, by_org.org_type_as_sent) = '个体工商户' then 'individual_business'
            when coalesce(uscc_types.org_type, by_org.org_type_as_sent) in ('社会团体', '民办非企业单位', '基金会')
                then 'social_org'
            else 'other'
        end as category,
        by_org.legal_rep_name,
        by_org.legal_rep_id_number,
        by_org.address,
        {{ citylake.address_key_from_text('by_org.address', 'coalesce(by_org.division_code_as_sent, substr(by_org.uscc, 3, 6))') }}
            as address_key,
        coalesce(by_org.division_code_as_sent, counties.division_code) as district_code,
        by_org.status,
        by_org.established_date,
        by_org.registered_capital,
        by_org.is_hazardous_chemical,
        by_org.is_fire_key_unit,
        by_org.is_taxpayer,
        by_org.taxpayer_type,
        by_org.is_school,
        by_org.school_type,
        cast(by_org.students as integer) as students,
        by_org.is_registered,
        feeds.source_feeds,
        by_org.source_records,
        by_org.repaired_records
    from by_org
    left join uscc_types
        on substr(by_org.uscc, 1, 2) = uscc_types.type_code
    left join counties
        on substr(by_org.uscc, 3, 6) = counties.division_code
    left join feeds
        on by_org.uscc = feeds.uscc
)

select * from final
