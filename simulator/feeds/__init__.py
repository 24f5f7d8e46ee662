"""Renderers: one module per department, turning the city's entities into that department's records.

``MODULES`` is the registry: every module listed declares ``FEEDS`` (see :mod:`simulator.feeds.registry`).
"""

from simulator.feeds import canlian, gongan, gongan_jingqing, gongan_register, minzheng, shichang, shuju, sifa, tongji, tuanwei, wangxin, xueliang, zhengfawei, zhujian, ziranziyuan

MODULES = (gongan, zhujian, shuju, gongan_register, tongji, zhengfawei, sifa, minzheng, xueliang, shichang, gongan_jingqing, canlian, ziranziyuan, wangxin, tuanwei)


def all_specs():
    return [spec for module in MODULES for spec in module.FEEDS]
