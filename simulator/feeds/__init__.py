"""Renderers: one module per department, turning the city's entities into that department's records.

``MODULES`` is the registry: every module listed declares ``FEEDS`` (see :mod:`simulator.feeds.registry`).
"""

from simulator.feeds import (
    canlian, chengguan, fayuan, fulian, gongan, gongan_jingqing,
    gongan_register, jianchayuan, jiaoti, jiaotong, minzheng, nongye,
    renshe, shengtai, shichang, shuiwu, shuju, sifa,
    tongji, tuanwei, tuiyi, wangxin, weijian, xiaofang,
    xinfang, xueliang, yibao, yingji, zhengfawei, zhujian,
    ziranziyuan,
)

# Order fixes every file's bytes: new departments go at the end.
MODULES = (gongan, zhujian, shuju, gongan_register, tongji, zhengfawei, sifa, minzheng, xueliang, shichang,
           gongan_jingqing, canlian, ziranziyuan, wangxin, tuanwei,
           chengguan, fayuan, fulian, jianchayuan, jiaoti, jiaotong, nongye, renshe, shengtai, shuiwu, tuiyi,
           weijian, xiaofang, xinfang, yibao, yingji)


def all_specs():
    return [spec for module in MODULES for spec in module.FEEDS]
