-- Every person named in a record of a population (or person-bearing) feed, one row per record and role,
-- in one shape: the input of entity resolution (int_persons_linked). A record naming several persons
-- (a birth: baby, mother, father; a marriage: husband, wife) gives one row per person; is_main_person
-- marks the person the record is about. Values are the feeds' standard forms; the ID as sent is kept
-- as its first 17 characters (id_base17) because a wrong check digit still names its person.
{%- set s = 'std_' %}
{%- set branches = [
    ('stg_gongan__hukou', 'gongan.hukou', 'resident', true, {
        'std_id_number': 'std_id_number', 'id_number': 'id_number', 'name': 'name', 'sex': 'std_sex',
        'birth_date': 'std_birth_date', 'phone': 'std_phone', 'address_key': 'address_key',
        'division_code': 'std_division_code', 'grid_code': 'grid_code', 'household_id': 'household_id',
        'relation_to_head': 'relation_to_head', 'population_type': "'户籍'", 'from_date': 'std_registered_date', 'updated_at': 'std_updated_at'}),
    ('stg_gongan__liudong', 'gongan.liudong', 'resident', true, {
        'std_id_number': 'std_id_number', 'id_number': 'id_number', 'name': 'name', 'sex': 'std_sex',
        'birth_date': 'std_birth_date', 'phone': 'std_phone', 'address_key': 'address_key',
        'division_code': 'std_division_code', 'grid_code': 'grid_code', 'population_type': "'流动'",
        'from_date': 'std_registered_date', 'to_date': 'std_valid_until', 'updated_at': 'std_updated_at'}),
    ('stg_gongan__chuzu', 'gongan.chuzu', 'landlord', true, {
        'std_id_number': 'std_landlord_id_number', 'id_number': 'landlord_id_number', 'name': 'landlord_name',
        'phone': 'std_landlord_phone', 'updated_at': 'std_updated_at'}),
    ('stg_gongan__xidu', 'gongan.xidu', 'drug_user', true, {
        'std_id_number': 'std_id_number', 'id_number': 'id_number', 'name': 'name', 'sex': 'std_sex',
        'phone': 'std_phone', 'address_key': 'address_key', 'division_code': 'std_division_code',
        'grid_code': 'grid_code', 'from_date': 'std_first_found', 'updated_at': 'std_visited_at'}),
    ('stg_gongan__hukou_biandong', 'gongan.hukou_biandong', 'subject', true, {
        'std_id_number': 'std_id_number', 'id_number': 'id_number', 'name': 'name',
        'division_code': 'std_division_code', 'from_date': 'std_change_date', 'updated_at': 'std_processed_at'}),
    ('stg_sifa__jiaozheng', 'sifa.jiaozheng', 'corrections_subject', true, {
        'std_id_number': 'std_id_number', 'id_number': 'id_number', 'name': 'name', 'sex': 'std_sex',
        'address_key': 'address_key', 'division_code': 'std_division_code', 'from_date': 'std_start_date',
        'to_date': 'std_end_date', 'updated_at': 'std_updated_at'}),
    ('stg_sifa__xingman', 'sifa.xingman', 'released_prisoner', true, {
        'std_id_number': 'std_id_number', 'id_number': 'id_number', 'name': 'name', 'sex': 'std_sex',
        'address_key': 'address_key', 'division_code': 'std_division_code', 'from_date': 'std_released_date',
        'updated_at': 'std_updated_at'}),
    ('stg_sifa__tiaojie', 'sifa.tiaojie', 'applicant', true, {
        'std_id_number': 'std_applicant_id_number', 'id_number': 'applicant_id_number', 'name': 'applicant_name',
        'division_code': 'std_division_code', 'updated_at': 'std_accepted_date'}),
    ('stg_minzheng__dibao', 'minzheng.dibao', 'recipient', true, {
        'std_id_number': 'std_id_number', 'id_number': 'id_number', 'name': 'name', 'phone': 'std_phone',
        'address_key': 'address_key', 'division_code': 'std_division_code', 'from_date': 'std_approved_date',
        'updated_at': 'std_reviewed_date'}),
    ('stg_minzheng__hunyin', 'minzheng.hunyin', 'husband', true, {
        'std_id_number': 'std_male_id_number', 'id_number': 'male_id_number', 'name': 'male_name', 'sex': "'男'",
        'division_code': 'std_division_code', 'updated_at': 'std_registered_date'}),
    ('stg_minzheng__hunyin', 'minzheng.hunyin', 'wife', true, {
        'std_id_number': 'std_female_id_number', 'id_number': 'female_id_number', 'name': 'female_name',
        'sex': "'女'", 'division_code': 'std_division_code', 'updated_at': 'std_registered_date'}),
    ('stg_minzheng__binzang', 'minzheng.binzang', 'deceased', true, {
        'std_id_number': 'std_id_number', 'id_number': 'id_number', 'name': 'name', 'sex': 'std_sex',
        'division_code': 'std_division_code', 'to_date': 'std_death_date', 'updated_at': 'std_cremated_date'}),
    ('stg_minzheng__binzang', 'minzheng.binzang', 'family', false, {
        'name': 'family_name', 'phone': 'std_family_phone', 'division_code': 'std_division_code'}),
    ('stg_renshe__canbao', 'renshe.canbao', 'insured', true, {
        'std_id_number': 'std_id_number', 'id_number': 'id_number', 'name': 'name', 'sex': 'std_sex',
        'birth_date': 'std_birth_date', 'phone': 'std_phone', 'division_code': 'std_division_code',
        'from_date': 'std_insured_from', 'updated_at': 'std_updated_at'}),
    ('stg_renshe__jiuye', 'renshe.jiuye', 'employee', true, {
        'std_id_number': 'std_id_number', 'id_number': 'id_number', 'name': 'name', 'phone': 'std_phone',
        'division_code': 'std_division_code', 'from_date': 'std_registered_date', 'updated_at': 'std_updated_at'}),
    ('stg_yibao__canbao', 'yibao.canbao', 'insured', true, {
        'std_id_number': 'std_id_number', 'id_number': 'id_number', 'name': 'name', 'sex': 'std_sex',
        'birth_date': 'std_birth_date', 'phone': 'std_phone', 'from_date': 'std_begin_date',
        'updated_at': 'std_updated_at'}),
    ('stg_weijian__chusheng', 'weijian.chusheng', 'baby', true, {
        'name': 'baby_name', 'sex': 'std_baby_sex', 'birth_date': 'std_birth_at',
        'division_code': 'std_division_code', 'updated_at': 'std_updated_at'}),
    ('stg_weijian__chusheng', 'weijian.chusheng', 'mother', false, {
        'std_id_number': 'std_mother_id_number', 'id_number': 'mother_id_number', 'name': 'mother_name',
        'sex': "'女'", 'division_code': 'std_division_code', 'updated_at': 'std_updated_at'}),
    ('stg_weijian__chusheng', 'weijian.chusheng', 'father', false, {
        'std_id_number': 'std_father_id_number', 'id_number': 'father_id_number', 'name': 'father_name',
        'sex': "'男'", 'division_code': 'std_division_code', 'updated_at': 'std_updated_at'}),
    ('stg_weijian__siwang', 'weijian.siwang', 'deceased', true, {
        'std_id_number': 'std_id_number', 'id_number': 'id_number', 'name': 'name', 'sex': 'std_sex',
        'division_code': 'std_division_code', 'to_date': 'std_death_at', 'updated_at': 'std_updated_at'}),
    ('stg_weijian__jingshen', 'weijian.jingshen', 'patient', true, {
        'std_id_number': 'std_id_number', 'id_number': 'id_number', 'name': 'name', 'sex': 'std_sex',
        'address_key': 'address_key', 'division_code': 'std_division_code', 'updated_at': 'std_updated_at'}),
    ('stg_weijian__jingshen', 'weijian.jingshen', 'guardian', false, {
        'name': 'guardian_name', 'phone': 'std_guardian_phone', 'address_key': 'address_key',
        'division_code': 'std_division_code'}),
    ('stg_jiaoti__xuesheng', 'jiaoti.xuesheng', 'student', true, {
        'std_id_number': 'std_id_number', 'id_number': 'id_number', 'name': 'name', 'sex': 'std_sex',
        'birth_date': 'std_birth_date', 'address_key': 'address_key'}),
    ('stg_jiaoti__xuesheng', 'jiaoti.xuesheng', 'guardian', false, {
        'name': 'guardian_name', 'phone': 'std_guardian_phone', 'address_key': 'address_key'}),
    ('stg_canlian__canji', 'canlian.canji', 'disabled', true, {
        'std_id_number': 'std_id_number', 'id_number': 'id_number', 'name': 'name', 'sex': 'std_sex',
        'phone': 'std_phone', 'address_key': 'address_key', 'division_code': 'std_division_code',
        'from_date': 'std_issued_date', 'updated_at': 'std_issued_date'}),
    ('stg_tuanwei__zhongdian_qingshaonian', 'tuanwei.zhongdian_qingshaonian', 'key_youth', true, {
        'std_id_number': 'std_id_number', 'id_number': 'id_number', 'name': 'name', 'sex': 'std_sex',
        'address_key': 'address_key', 'division_code': 'std_division_code', 'updated_at': 'std_updated_at'}),
    ('stg_tuanwei__zhongdian_qingshaonian', 'tuanwei.zhongdian_qingshaonian', 'guardian', false, {
        'name': 'guardian_name', 'phone': 'std_guardian_phone', 'address_key': 'address_key',
        'division_code': 'std_division_code'}),
    ('stg_tuiyi__junren', 'tuiyi.junren', 'veteran', true, {
        'std_id_number': 'std_id_number', 'id_number': 'id_number', 'name': 'name', 'sex': 'std_sex',
        'phone': 'std_phone', 'address_key': 'address_key', 'division_code': 'std_division_code'}),
    ('stg_fulian__liushou_ertong', 'fulian.liushou_ertong', 'left_behind_child', true, {
        'std_id_number': 'std_id_number', 'id_number': 'id_number', 'name': 'name', 'sex': 'std_sex',
        'birth_date': 'std_birth_date', 'address_key': 'address_key', 'updated_at': 'std_visited_date'}),
    ('stg_fulian__liushou_ertong', 'fulian.liushou_ertong', 'guardian', false, {
        'name': 'guardian_name', 'phone': 'std_guardian_phone', 'address_key': 'address_key'}),
    ('stg_fulian__weiquan', 'fulian.weiquan', 'applicant', true, {
        'name': 'applicant_name', 'phone': 'std_applicant_phone', 'division_code': 'std_division_code',
        'updated_at': 'std_updated_at'}),
    ('stg_nongye__fanpin', 'nongye.fanpin', 'monitored', true, {
        'std_id_number': 'std_id_number', 'id_number': 'id_number', 'name': 'name', 'phone': 'std_phone',
        'division_code': 'substr(std_village_code, 1, 6)', 'from_date': 'std_identified_date',
        'updated_at': 'std_updated_at'}),
    ('stg_zhujian__fangwu', 'zhujian.fangwu', 'owner', true, {
        'std_id_number': 'std_owner_id_number', 'id_number': 'owner_id_number', 'name': 'owner_name',
        'updated_at': 'std_updated_at'}),
    ('stg_ziranziyuan__budongchan', 'ziranziyuan.budongchan', 'owner', true, {
        'std_id_number': 'std_owner_id_number', 'id_number': 'owner_id_number', 'name': 'owner_name',
        'updated_at': 'std_updated_at'}),
    ('stg_zhujian__wangqian', 'zhujian.wangqian', 'buyer', true, {
        'std_id_number': 'std_buyer_id_number', 'id_number': 'buyer_id_number', 'name': 'buyer_name',
        'phone': 'std_buyer_phone', 'updated_at': 'std_updated_at'}),
    ('stg_jiaotong__congye', 'jiaotong.congye', 'driver', true, {
        'std_id_number': 'std_id_number', 'id_number': 'id_number', 'name': 'name', 'sex': 'std_sex',
        'phone': 'std_phone', 'division_code': 'std_division_code', 'from_date': 'std_first_issued'}),
    ('stg_shichang__getihu', 'shichang.getihu', 'operator', true, {
        'std_id_number': 'std_operator_id_number', 'id_number': 'operator_id_number', 'name': 'operator_name',
        'phone': 'std_phone', 'division_code': 'std_division_code'}),
    ('stg_shichang__qiye', 'shichang.qiye', 'legal_rep', true, {
        'std_id_number': 'std_legal_rep_id_number', 'id_number': 'legal_rep_id_number', 'name': 'legal_rep',
        'division_code': 'std_division_code'}),
    ('stg_zhengfawei__wanggeyuan', 'zhengfawei.wanggeyuan', 'grid_worker', true, {
        'std_id_number': 'std_id_number', 'id_number': 'id_number', 'name': 'name', 'sex': 'std_sex',
        'phone': 'std_phone', 'grid_code': 'grid_code', 'from_date': 'std_appointed_date',
        'updated_at': 'std_updated_at'}),
    ('stg_shuju__hotline', 'shuju.hotline', 'caller', true, {
        'name': 'caller_name', 'phone': 'std_caller_phone', 'division_code': 'std_division_code',
        'updated_at': 'std_called_at'}),
    ('stg_xinfang__xinfangjian', 'xinfang.xinfangjian', 'petitioner', true, {
        'std_id_number': 'std_petitioner_id_number', 'id_number': 'petitioner_id_number',
        'name': 'petitioner_name', 'phone': 'std_petitioner_phone', 'division_code': 'std_division_code',
        'updated_at': 'std_registered_at'}),
    ('stg_gongan__jingqing', 'gongan.jingqing', 'caller', true, {
        'name': 'caller_name', 'phone': 'std_caller_phone', 'division_code': 'std_division_code',
        'updated_at': 'std_received_at'}),
    ('stg_zhengfawei__wangge_shijian', 'zhengfawei.wangge_shijian', 'party', true, {
        'name': 'party_name', 'phone': 'std_party_phone', 'division_code': 'std_division_code',
        'grid_code': 'grid_code', 'updated_at': 'std_reported_at'}),
    ('stg_shengtai__tousu', 'shengtai.tousu', 'complainant', true, {
        'name': 'complainant_name', 'phone': 'std_complainant_phone', 'division_code': 'std_division_code',
        'updated_at': 'std_received_at'}),
    ('stg_yingji__tufa', 'yingji.tufa', 'reporter', true, {
        'name': 'reporter', 'phone': 'std_reporter_phone', 'division_code': 'std_division_code',
        'updated_at': 'std_occurred_at'}),
] %}
with

unioned as (
{%- for model, feed_id, role, is_main, cols in branches %}
    {{ person_branch(model, feed_id, role, is_main, cols) | indent(4) }}
    {%- if not loop.last %}

    union all
{% endif %}
{%- endfor %}
),

-- Sex and birth date are encoded in a standard ID: they win over the values typed beside it.
completed as (
    select
        person_record_id,
        record_id,
        feed_id,
        department,
        role,
        is_main_person,
        std_id_number,
        coalesce(substr(std_id_number, 1, 17), id_base17) as id_base17,
        name,
        coalesce({{ id_sex('std_id_number') }}, sex) as sex,
        coalesce({{ id_birth_date('std_id_number') }}, birth_date) as birth_date,
        phone,
        address_key,
        coalesce(division_code, substr(address_key, 1, 6)) as division_code,
        grid_code,
        household_id,
        relation_to_head,
        population_type,
        from_date,
        to_date,
        updated_at,
        loaded_at,
        source_file,
        source_row_number
    from unioned
),

-- A record naming nobody it could be linked by (no ID, no name, no phone) is no person record.
final as (
    select * from completed
    where std_id_number is not null or id_base17 is not null or name is not null or phone is not null
)

select * from final
