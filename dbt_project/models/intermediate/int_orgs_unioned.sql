-- Every organisation record of every feed that names one by 统一社会信用代码, in one shape: the registers
-- (市场监管 企业/个体工商户, 民政 社会组织, 教体 学校: priority 1), 税务 纳税人 (2), the supervision lists
-- (应急 危化企业, 消防 重点单位: 3), and the feeds that only mention an organisation (交通 operators of
-- vehicles: 4; 住建 developers and property managers: 5).
{%- set text = dbt.type_string() %}
with

qiye as (select * from {{ ref('stg_shichang__qiye') }}),
getihu as (select * from {{ ref('stg_shichang__getihu') }}),
shehui_zuzhi as (select * from {{ ref('stg_minzheng__shehui_zuzhi') }}),
xuexiao as (select * from {{ ref('stg_jiaoti__xuexiao') }}),
nashuiren as (select * from {{ ref('stg_shuiwu__nashuiren') }}),
weihua as (select * from {{ ref('stg_yingji__weihua') }}),
zhongdian_danwei as (select * from {{ ref('stg_xiaofang__zhongdian_danwei') }}),
cheliang as (select * from {{ ref('stg_jiaotong__cheliang') }}),
wangqian as (select * from {{ ref('stg_zhujian__wangqian') }}),
xiaoqu as (select * from {{ ref('stg_zhujian__xiaoqu') }}),

unioned as (
    select record_id, 'shichang.qiye' as source_feed, 1 as feed_priority, uscc as uscc_as_sent, name,
        case when entity_type = '农民专业合作社' then '农民专业合作社' else '企业' end as org_type_as_sent,
        legal_rep as legal_rep_name, std_legal_rep_id_number as legal_rep_id_number, address,
        std_division_code as division_code, status, std_established_date as established_date,
        std_registered_capital as registered_capital, cast(null as {{ text }}) as taxpayer_type,
        cast(null as {{ text }}) as school_type, cast(null as double) as students
    from qiye
    union all
    select record_id, 'shichang.getihu', 1, uscc, name, '个体工商户', operator_name, std_operator_id_number,
        premises, std_division_code, status, std_registered_date, null, null, null, null
    from getihu
    union all
    select record_id, 'minzheng.shehui_zuzhi', 1, uscc, name, org_type, legal_rep, null, address,
        std_division_code, case status when '正常' then '存续' when '注销' then '注销' end, std_registered_date,
        null, null, null, null
    from shehui_zuzhi
    union all
    select record_id, 'jiaoti.xuexiao', 1, uscc, name,
        case ownership when '民办' then '民办非企业单位' when '教育部门' then '事业单位' end, principal, null,
        address, std_division_code, '存续', null, null, null, school_type, std_students
    from xuexiao
    union all
    select record_id, 'shuiwu.nashuiren', 2, taxpayer_id, name, null, legal_rep, null, address,
        std_division_code, null, null, null, taxpayer_type, null, null
    from nashuiren
    union all
    select record_id, 'yingji.weihua', 3, uscc, name, null, null, null, address, std_division_code,
        null, null, null, null, null, null
    from weihua
    union all
    select record_id, 'xiaofang.zhongdian_danwei', 3, uscc, name, null, null, null, address, std_division_code,
        null, null, null, null, null, null
    from zhongdian_danwei
    union all
    select record_id, 'jiaotong.cheliang', 4, operator_uscc, operator_name, null, null, null, null, null,
        null, null, null, null, null, null
    from cheliang
    where nullif(trim(operator_uscc), '') is not null
    union all
    select record_id, 'zhujian.wangqian', 5, developer_uscc, null, null, null, null, null, null,
        null, null, null, null, null, null
    from wangqian
    where nullif(trim(developer_uscc), '') is not null
    union all
    select record_id, 'zhujian.xiaoqu', 5, pm_uscc, pm_company, null, null, null, null, null,
        null, null, null, null, null, null
    from xiaoqu
    where nullif(trim(pm_uscc), '') is not null
),

final as (
    select
        record_id,
        source_feed,
        feed_priority,
        uscc_as_sent,
        upper({{ citylake.squish('uscc_as_sent') }}) as uscc_cleaned,
        nullif(trim(name), '') as name,
        org_type_as_sent,
        nullif(trim(legal_rep_name), '') as legal_rep_name,
        legal_rep_id_number,
        nullif(trim(address), '') as address,
        division_code,
        nullif(trim(status), '') as status,
        established_date,
        registered_capital,
        nullif(trim(taxpayer_type), '') as taxpayer_type,
        nullif(trim(school_type), '') as school_type,
        students
    from unioned
)

select * from final
