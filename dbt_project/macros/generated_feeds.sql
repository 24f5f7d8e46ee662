{#- Generated from contracts/*/*.yaml by `citylake contracts dbt-staging`: do not edit. -#}
{#- Every address a staged feed's rules resolve: (contract, staging model, column, key column). -#}
{% macro staged_addresses() -%}
    {{ return([
        {'contract_id': 'canlian.canji', 'model': 'stg_canlian__canji', 'address': 'address', 'address_key': 'address_key'},
        {'contract_id': 'gongan.chuzu', 'model': 'stg_gongan__chuzu', 'address': 'house_address', 'address_key': 'address_key'},
        {'contract_id': 'gongan.hukou', 'model': 'stg_gongan__hukou', 'address': 'address', 'address_key': 'address_key'},
        {'contract_id': 'gongan.liudong', 'model': 'stg_gongan__liudong', 'address': 'address', 'address_key': 'address_key'},
        {'contract_id': 'gongan.xidu', 'model': 'stg_gongan__xidu', 'address': 'address', 'address_key': 'address_key'},
        {'contract_id': 'minzheng.dibao', 'model': 'stg_minzheng__dibao', 'address': 'address', 'address_key': 'address_key'},
        {'contract_id': 'sifa.xingman', 'model': 'stg_sifa__xingman', 'address': 'address', 'address_key': 'address_key'},
        {'contract_id': 'tuanwei.zhongdian_qingshaonian', 'model': 'stg_tuanwei__zhongdian_qingshaonian', 'address': 'address', 'address_key': 'address_key'},
        {'contract_id': 'ziranziyuan.budongchan', 'model': 'stg_ziranziyuan__budongchan', 'address': 'location', 'address_key': 'address_key'},
    ]) }}
{%- endmacro %}
