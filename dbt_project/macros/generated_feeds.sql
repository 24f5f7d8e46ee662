{#- Generated from contracts/*/*.yaml by `citylake contracts dbt-staging`: do not edit. -#}
{#- Every address a staged feed's rules resolve: (contract, staging model, column, key column). -#}
{% macro staged_addresses() -%}
    {{ return([
        {'contract_id': 'canlian.canji', 'model': 'stg_canlian__canji', 'address': 'address', 'address_key': 'address_key'},
        {'contract_id': 'fulian.liushou_ertong', 'model': 'stg_fulian__liushou_ertong', 'address': 'address', 'address_key': 'address_key'},
        {'contract_id': 'gongan.chuzu', 'model': 'stg_gongan__chuzu', 'address': 'house_address', 'address_key': 'address_key'},
        {'contract_id': 'gongan.hukou', 'model': 'stg_gongan__hukou', 'address': 'address', 'address_key': 'address_key'},
        {'contract_id': 'gongan.liudong', 'model': 'stg_gongan__liudong', 'address': 'address', 'address_key': 'address_key'},
        {'contract_id': 'gongan.xidu', 'model': 'stg_gongan__xidu', 'address': 'address', 'address_key': 'address_key'},
        {'contract_id': 'jiaoti.xuesheng', 'model': 'stg_jiaoti__xuesheng', 'address': 'address', 'address_key': 'address_key'},
        {'contract_id': 'minzheng.dibao', 'model': 'stg_minzheng__dibao', 'address': 'address', 'address_key': 'address_key'},
        {'contract_id': 'sifa.jiaozheng', 'model': 'stg_sifa__jiaozheng', 'address': 'address', 'address_key': 'address_key'},
        {'contract_id': 'sifa.xingman', 'model': 'stg_sifa__xingman', 'address': 'address', 'address_key': 'address_key'},
        {'contract_id': 'tuanwei.zhongdian_qingshaonian', 'model': 'stg_tuanwei__zhongdian_qingshaonian', 'address': 'address', 'address_key': 'address_key'},
        {'contract_id': 'tuiyi.junren', 'model': 'stg_tuiyi__junren', 'address': 'address', 'address_key': 'address_key'},
        {'contract_id': 'weijian.jingshen', 'model': 'stg_weijian__jingshen', 'address': 'address', 'address_key': 'address_key'},
        {'contract_id': 'zhujian.wangqian', 'model': 'stg_zhujian__wangqian', 'address': 'house_address', 'address_key': 'address_key'},
        {'contract_id': 'ziranziyuan.budongchan', 'model': 'stg_ziranziyuan__budongchan', 'address': 'location', 'address_key': 'address_key'},
    ]) }}
{%- endmacro %}
