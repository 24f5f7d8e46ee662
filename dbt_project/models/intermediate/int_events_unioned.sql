{#- Every event feed in one shape, latest version per event. Each feed says how its columns map onto the
    common ones; a column a feed does not send is null. `id_date`: the report date its event numbers carry
    (a repair for an unparseable report time); `due_days`: a deadline the feed does not send but the law
    sets (人民调解: 30 days, 《人民调解工作若干规定》 art. 34), counted to the end of the day. -#}
{%- set columns = [
    ('event_id', 's'), ('department_case_no', 's'), ('department_category', 's'), ('department_subcategory', 's'),
    ('channel', 's'), ('reported_at', 't'), ('dispatched_at', 't'), ('due_at', 't'), ('closed_at', 't'),
    ('evaluated_at', 't'), ('status', 's'), ('outcome', 's'), ('satisfaction', 's'), ('is_closed_as_sent', 'b'),
    ('is_overdue_as_sent', 'b'), ('is_resolved_as_sent', 'b'), ('is_homicide', 'b'), ('division_code_as_sent', 's'),
    ('grid_code', 's'), ('address', 's'), ('address_key', 's'), ('updated_at', 't'), ('id_date', 'd'),
] -%}
{%- set feeds = [
    {'feed': 'shuju.hotline', 'model': 'stg_shuju__hotline', 'name': '12345热线', 'cols': {
        'event_id': 'work_order_id', 'department_category': 'category', 'reported_at': 'std_called_at',
        'dispatched_at': 'std_dispatched_at', 'closed_at': 'std_closed_at',
        'evaluated_at': "case when status = '已回访' then std_updated_at end", 'status': 'status',
        'satisfaction': 'satisfaction', 'is_closed_as_sent': "status in ('已办结', '已回访')",
        'division_code_as_sent': 'std_division_code', 'address': 'address', 'address_key': 'address_key',
        'updated_at': 'std_updated_at', 'id_date': citylake.event_id_date('work_order_id')}},
    {'feed': 'gongan.jingqing', 'model': 'stg_gongan__jingqing', 'name': '110警情', 'cols': {
        'event_id': 'incident_id', 'department_category': 'category', 'department_subcategory': 'sub_category',
        'reported_at': 'std_received_at', 'dispatched_at': 'std_dispatched_at',
        'closed_at': 'case when result is not null then std_updated_at end', 'status': 'result',
        'outcome': 'result', 'is_closed_as_sent': 'result is not null',
        'is_homicide': "coalesce(is_homicide = '1' or sub_category = '故意杀人', false)",
        'division_code_as_sent': 'std_division_code', 'address': 'location',
        'address_key': address_key_from_text('location', 'division_code'), 'updated_at': 'std_updated_at',
        'id_date': citylake.event_id_date('incident_id')}},
    {'feed': 'zhengfawei.wangge_shijian', 'model': 'stg_zhengfawei__wangge_shijian', 'name': '网格事件', 'cols': {
        'event_id': 'event_id', 'department_category': 'event_type', 'reported_at': 'std_reported_at',
        'dispatched_at': 'std_dispatched_at', 'due_at': 'std_deadline', 'closed_at': 'std_closed_at',
        'evaluated_at': "case when status = '已评价' then std_updated_at end", 'status': 'status',
        'satisfaction': 'satisfaction',
        'is_closed_as_sent': "std_closed_at is not null or status in ('已办结', '已评价')",
        'is_resolved_as_sent': "case is_resolved when '1' then true when '0' then false end",
        'division_code_as_sent': 'std_division_code', 'grid_code': 'grid_code', 'address': 'location',
        'address_key': address_key_from_text('location', 'division_code'), 'updated_at': 'std_updated_at',
        'id_date': citylake.event_id_date('event_id')}},
    {'feed': 'xinfang.xinfangjian', 'model': 'stg_xinfang__xinfangjian', 'name': '信访件', 'cols': {
        'event_id': 'petition_id', 'department_category': 'category', 'channel': 'channel',
        'reported_at': 'std_registered_at', 'due_at': dbt.dateadd('day', 1, 'std_deadline'),
        'closed_at': "case when status = '已办结' and coalesce(satisfaction, '未评价') = '未评价' then std_updated_at end",
        'evaluated_at': "case when satisfaction in ('满意', '基本满意', '不满意') then std_updated_at end",
        'status': 'status', 'satisfaction': "nullif(satisfaction, '未评价')", 'is_closed_as_sent': "status = '已办结'",
        'division_code_as_sent': 'std_division_code', 'updated_at': 'std_updated_at',
        'id_date': citylake.event_id_date('petition_id')}},
    {'feed': 'sifa.tiaojie', 'model': 'stg_sifa__tiaojie', 'name': '人民调解案件', 'due_days': 30, 'cols': {
        'event_id': 'case_id', 'department_category': 'dispute_type', 'reported_at': 'std_accepted_date',
        'closed_at': 'std_closed_date', 'status': 'result',
        'outcome': "case when result in ('调解成功', '调解不成功', '终止调解') then result end",
        'is_closed_as_sent': "result in ('调解成功', '调解不成功', '终止调解')",
        'is_resolved_as_sent': "case when result in ('调解成功', '调解不成功', '终止调解') then result = '调解成功' end",
        'division_code_as_sent': 'std_division_code', 'id_date': citylake.event_id_date('case_id')}},
    {'feed': 'chengguan.anjian', 'model': 'stg_chengguan__anjian', 'name': '数字城管案件', 'cols': {
        'event_id': 'case_id', 'department_category': 'major_category', 'department_subcategory': 'minor_category',
        'channel': 'source', 'reported_at': 'std_reported_at', 'closed_at': 'std_closed_at', 'status': 'status',
        'is_closed_as_sent': "std_closed_at is not null or status = '结案'",
        'is_overdue_as_sent': "case is_overdue when '1' then true when '0' then false end",
        'division_code_as_sent': 'std_division_code', 'grid_code': 'grid_code', 'address': 'address',
        'address_key': address_key_from_text('address', 'division_code'), 'updated_at': 'std_updated_at',
        'id_date': citylake.event_id_date('case_id')}},
    {'feed': 'xiaofang.huozai', 'model': 'stg_xiaofang__huozai', 'name': '火灾', 'cols': {
        'event_id': 'fire_id', 'department_category': 'place_type', 'department_subcategory': 'cause',
        'reported_at': 'std_alarm_at', 'closed_at': 'std_extinguished_at',
        'is_closed_as_sent': 'std_extinguished_at is not null', 'division_code_as_sent': 'std_division_code',
        'address': 'location', 'address_key': address_key_from_text('location', 'division_code'),
        'id_date': citylake.event_id_date('fire_id')}},
    {'feed': 'yingji.tufa', 'model': 'stg_yingji__tufa', 'name': '突发事件', 'cols': {
        'event_id': 'event_id', 'department_category': 'category', 'department_subcategory': 'sub_type',
        'reported_at': 'std_occurred_at', 'closed_at': "case when status in ('已处置', '已结束') then std_updated_at end",
        'status': 'status', 'is_closed_as_sent': "status in ('已处置', '已结束')",
        'division_code_as_sent': 'std_division_code', 'address': 'location', 'updated_at': 'std_updated_at',
        'id_date': citylake.event_id_date('event_id')}},
    {'feed': 'wangxin.yuqing', 'model': 'stg_wangxin__yuqing', 'name': '网络舆情事件', 'cols': {
        'event_id': 'event_id', 'department_category': 'topic', 'channel': 'platform', 'reported_at': 'std_found_at',
        'closed_at': 'std_handled_at', 'status': 'status',
        'is_closed_as_sent': "std_handled_at is not null or status in ('已处置', '已归档')",
        'division_code_as_sent': 'std_division_code', 'updated_at': 'std_updated_at',
        'id_date': citylake.event_id_date('event_id')}},
    {'feed': 'shengtai.tousu', 'model': 'stg_shengtai__tousu', 'name': '环境投诉', 'cols': {
        'event_id': 'complaint_id', 'department_category': 'pollution_type', 'channel': 'channel',
        'reported_at': 'std_received_at', 'closed_at': 'std_closed_at', 'status': 'status',
        'is_closed_as_sent': "std_closed_at is not null or status = '已办结'",
        'division_code_as_sent': 'std_division_code', 'address': 'location',
        'address_key': address_key_from_text('location', 'division_code'), 'updated_at': 'std_updated_at',
        'id_date': citylake.event_id_date('complaint_id')}},
    {'feed': 'fayuan.minshi', 'model': 'stg_fayuan__minshi', 'name': '民商事诉讼案件', 'cols': {
        'event_id': 'coalesce(case_uid, case_no)', 'department_case_no': 'case_no', 'department_category': 'cause',
        'department_subcategory': 'procedure', 'reported_at': 'std_filed_date', 'closed_at': 'std_closed_date',
        'status': "case when std_closed_date is not null then '已结案' else '审理中' end", 'outcome': 'closing_method',
        'is_closed_as_sent': 'std_closed_date is not null', 'division_code_as_sent': 'std_division_code',
        'updated_at': 'std_updated_at', 'id_date': citylake.event_id_date('case_uid')}},
    {'feed': 'jianchayuan.gongyi', 'model': 'stg_jianchayuan__gongyi', 'name': '公益诉讼线索', 'cols': {
        'event_id': 'lead_id', 'department_category': 'field', 'channel': 'source', 'reported_at': 'std_received_date',
        'closed_at': 'std_closed_date', 'status': 'status',
        'outcome': 'case when std_closed_date is not null then status end',
        'is_closed_as_sent': 'std_closed_date is not null', 'division_code_as_sent': 'std_division_code',
        'updated_at': 'std_updated_at', 'id_date': citylake.event_id_date('lead_id')}},
    {'feed': 'fulian.weiquan', 'model': 'stg_fulian__weiquan', 'name': '妇女儿童维权', 'cols': {
        'event_id': 'case_id', 'department_category': 'case_type', 'channel': 'channel',
        'reported_at': 'std_received_date', 'closed_at': 'std_closed_date', 'status': 'status',
        'is_closed_as_sent': "std_closed_date is not null or status = '办结'",
        'division_code_as_sent': 'std_division_code', 'updated_at': 'std_updated_at'}},
] -%}
{%- set types = {'s': dbt.type_string(), 't': dbt.type_timestamp(), 'd': 'date', 'b': dbt.type_boolean()} -%}
with

{% for f in feeds %}
{{ f.model }} as (
    select * from {{ ref(f.model) }}
),

{% endfor -%}

unioned as (
{%- for f in feeds %}
    select
        {{ citylake.sql_string(f.feed) }} as source_feed,
        {{ citylake.sql_string(f.feed.split('.')[0]) }} as source_department,
        {{ citylake.sql_string(f.name) }} as source_name,
        {%- for name, kind in columns %}
        cast({{ f.cols.get(name, 'null') }} as {{ types[kind] }}) as {{ name }},
        {%- endfor %}
        {{ f.get('due_days', 'cast(null as integer)') }} as due_days,
        record_id,
        source_file,
        source_row_number,
        cast(loaded_at as {{ dbt.type_timestamp() }}) as loaded_at,
        cast(load_date as date) as load_date
    from {{ f.model }}
    {% if not loop.last %}union all{% endif %}
{%- endfor %}
),

ranked as (
    select
        unioned.*,
        row_number() over (
            partition by source_feed, event_id
            order by updated_at desc nulls last, load_date desc, loaded_at desc, source_row_number desc
        ) as version_rank,
        count(*) over (partition by source_feed, event_id) as version_count
    from unioned
    where event_id is not null
),

final as (
    select
        source_feed,
        source_department,
        source_name,
        event_id,
        department_case_no,
        department_category,
        department_subcategory,
        channel,
        reported_at,
        coalesce(cast(reported_at as date), id_date) as reported_date,
        dispatched_at,
        coalesce(
            due_at,
            case when due_days is not null
                then {{ dbt.dateadd('day', 'due_days + 1', 'coalesce(cast(reported_at as date), id_date)') }}
            end
        ) as due_at,
        closed_at,
        evaluated_at,
        status,
        outcome,
        satisfaction,
        is_closed_as_sent,
        is_overdue_as_sent,
        is_resolved_as_sent,
        is_homicide,
        division_code_as_sent,
        grid_code,
        address,
        address_key,
        updated_at,
        version_count,
        record_id,
        source_file,
        source_row_number,
        load_date
    from ranked
    where version_rank = 1
)

select * from final
