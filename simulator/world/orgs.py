"""One universe of organisations: 市场主体 (enterprises, 个体工商户, 合作社), 社会组织, schools — each with a valid
统一社会信用代码, and the flags other departments keep on them (危化企业, 消防重点单位, 纳税人).

Generated lazily: :func:`grid_orgs` regenerates a grid's organisations from the seed and the grid's summary
(same rows every time), :func:`schools` the schools of each township with the school-age residents they
enrol. Serial numbers behind the credit codes are the grid's position in the world × 1,000 + the org's
position in the grid (schools: from 20,000,000), so codes are unique without a registry.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import TYPE_CHECKING

from simulator.geography import DISTRICT_BY_CODE
from simulator.world.uscc import make_uscc

if TYPE_CHECKING:
    from simulator.world import World
    from simulator.world.grids import GridInfo

NEW_STYLE_FROM = dt.date(2015, 10, 1)  # USCC era: new organisation codes (MA…) from then on
_SCHOOL_SERIAL_BASE = 20_000_000
_BRAND = "鑫盛华兴宏泰恒信德源丰瑞祥安达隆昌富新天宇正通金诚康博凯明辉创远"
_INDUSTRIES = (  # (word in the name, 行业门类, weight)
    ("建材", "批发和零售业", 8), ("商贸", "批发和零售业", 14), ("科技", "信息传输、软件和信息技术服务业", 6),
    ("建筑工程", "建筑业", 8), ("农业开发", "农、林、牧、渔业", 8), ("食品", "制造业", 5), ("机械制造", "制造业", 6),
    ("锂电新材料", "制造业", 4), ("物流", "交通运输、仓储和邮政业", 5), ("餐饮管理", "住宿和餐饮业", 5),
    ("房地产开发", "房地产业", 3), ("医药", "制造业", 4), ("文化传媒", "文化、体育和娱乐业", 3),
    ("环保科技", "水利、环境和公共设施管理业", 2), ("电子商务", "批发和零售业", 5),
)
_CHEMICAL = (("化工", "制造业"), ("新能源材料", "制造业"), ("燃气", "电力、热力、燃气及水生产和供应业"),
             ("油品销售", "批发和零售业"))
_SHOPS = ("小吃店", "便利店", "理发店", "五金店", "副食店", "服装店", "水果店", "餐馆", "农资店", "家电维修部", "药店", "早餐店")
_SOCIAL = (("社会团体", "协会"), ("社会团体", "商会"), ("民办非企业单位", "养老院"), ("民办非企业单位", "幼儿园"),
           ("民办非企业单位", "社会工作服务中心"), ("基金会", "慈善基金会"))
_ENT_STATUS = (("存续", 88), ("注销", 9), ("吊销", 3))


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _legal_rep(world: "World", info: "GridInfo", rng: random.Random, resident_share: float):
    if info.adults and rng.random() < resident_share:
        return rng.choice(info.adults)
    return world.outsiders[rng.randrange(len(world.outsiders))]


def _row(world: "World", info: "GridInfo", rng: random.Random, *, serial: int, kind: str, category: str,
         name: str, industry: str, established: dt.date, status: str, rep, place, **extra) -> dict:
    uscc = make_uscc(kind, info.district_code, serial, established >= NEW_STYLE_FROM)
    row = {
        "uscc": uscc, "org_code": uscc[8:17], "name": name, "org_type": kind, "category": category,
        "industry": industry, "legal_rep_name": rep.name, "legal_rep_id_number": rep.id_number,
        "legal_rep_person_key": rep.person_key or None, "address": place.address if place else None,
        "house_id": place.house_id if place else None, "district_code": info.district_code,
        "township_code": info.township_code + "000", "village_code": info.village_code, "grid_code": info.grid_code,
        "established_date": established, "status": status, "registered_capital": None,
        "is_hazardous_chemical": False, "is_fire_key_unit": False, "is_taxpayer": False, "taxpayer_type": None,
        "school_type": None, "students": None,
    }
    row.update(extra)
    return row


def _count(rng: random.Random, mean: float) -> int:
    """An integer with the given mean (floor plus a Bernoulli remainder): cheap and exact on average."""
    base = int(mean)
    return base + (rng.random() < mean - base)


def grid_orgs(world: "World", info: "GridInfo", grid_index: int) -> Iterator[dict]:
    """The enterprises, 个体工商户 and social organisations registered in one grid."""
    cfg, as_of = world.config, world.as_of
    rng = random.Random(f"{world.seed}/world/orgs/{info.grid_code}")
    district = DISTRICT_BY_CODE[info.district_code]
    serial = grid_index * 1000
    if grid_index >= _SCHOOL_SERIAL_BASE // 1000:
        raise ValueError("more than 20,000 grids: widen the credit-code serial space in orgs.py")
    k = 0
    places = info.places or (None,)
    n_ent = _count(rng, info.persons * cfg.enterprises_per_1000 / 1000)
    n_ind = _count(rng, info.persons * cfg.individual_businesses_per_1000 / 1000)
    n_soc = _count(rng, info.persons * cfg.social_orgs_per_1000 / 1000)
    for _ in range(n_ent):
        k += 1
        hazardous = rng.random() < cfg.hazardous_chemical_share
        word, industry = (rng.choice(_CHEMICAL) if hazardous
                          else rng.choices([i[:2] for i in _INDUSTRIES], weights=[i[2] for i in _INDUSTRIES])[0])
        coop = not hazardous and industry.startswith("农") and rng.random() < 0.4
        brand = rng.choice(_BRAND) + rng.choice(_BRAND)
        prefix = rng.choice(("宜春市", "江西", district.name.rstrip("区县市") if len(district.name) > 2 else district.name))
        name = f"{district.name}{brand}{word}专业合作社" if coop else f"{prefix}{brand}{word}有限公司"
        status = rng.choices([s for s, _ in _ENT_STATUS], weights=[w for _, w in _ENT_STATUS])[0]
        yield _row(world, info, rng, serial=serial + k, kind="农民专业合作社" if coop else "企业", category="enterprise",
                   name=name, industry=industry, established=_date_between(rng, dt.date(1995, 1, 1), as_of - dt.timedelta(days=7)),
                   status=status, rep=_legal_rep(world, info, rng, 0.7), place=rng.choice(places),
                   registered_capital=float(rng.choice((10, 50, 100, 200, 500, 1000, 3000, 5000))),
                   is_hazardous_chemical=hazardous and status == "存续",
                   is_fire_key_unit=status == "存续" and (hazardous or rng.random() < cfg.fire_key_unit_share),
                   is_taxpayer=status == "存续",
                   taxpayer_type=(rng.choice(("一般纳税人", "小规模纳税人", "小规模纳税人")) if status == "存续" else None))
    for _ in range(n_ind):
        k += 1
        rep = _legal_rep(world, info, rng, 0.9)
        status = rng.choices(("存续", "注销"), weights=(85, 15))[0]
        yield _row(world, info, rng, serial=serial + k, kind="个体工商户", category="individual_business",
                   name=f"{district.name}{rep.name[0]}记{rng.choice(_SHOPS)}", industry="批发和零售业",
                   established=_date_between(rng, dt.date(2000, 1, 1), as_of - dt.timedelta(days=7)), status=status,
                   rep=rep, place=rng.choice(places), is_taxpayer=status == "存续" and rng.random() < 0.6,
                   taxpayer_type="定期定额户" if status == "存续" else None)
    for _ in range(n_soc):
        k += 1
        kind, word = rng.choice(_SOCIAL)
        brand = rng.choice(_BRAND) + rng.choice(_BRAND)
        yield _row(world, info, rng, serial=serial + k, kind=kind, category="social_org",
                   name=f"{district.name}{brand}{word}", industry="社会组织",
                   established=_date_between(rng, dt.date(2005, 1, 1), as_of - dt.timedelta(days=7)), status="存续",
                   rep=_legal_rep(world, info, rng, 0.8), place=rng.choice(places),
                   is_fire_key_unit=word in ("养老院", "幼儿园") or rng.random() < cfg.fire_key_unit_share)
    if k >= 1000:
        raise ValueError(f"grid {info.grid_code} has {k} organisations; serials allow 999")


# (school type, ages, students per school)
SCHOOL_LEVELS = (("小学", range(6, 12), 900), ("初级中学", range(12, 15), 1200), ("高级中学", range(15, 18), 2000))


def _school_name(rng: random.Random, district: str, township: str, level: str, s: int, n: int, public: bool) -> str:
    if not public:
        return f"{district}{rng.choice(_BRAND)}{rng.choice(_BRAND)}{'小学' if level == '小学' else '学校'}"
    place = township.removesuffix("街道").rstrip("镇乡")
    number = "第" + "一二三四五六七八九十"[s % 10] if n > 1 else ""
    return f"{district}{place}{number}{'中学' if level == '高级中学' else level}"


def schools(world: "World") -> Iterator[tuple[dict, list[dict]]]:
    """Each school with its enrolment: (school row, one row per student). Primary and junior middle schools
    serve their township, senior middle schools their district (placed in its first township); every
    school-age resident is enrolled in exactly one school of their level."""
    serial = _SCHOOL_SERIAL_BASE
    by_district: dict[str, list] = {}
    for info in world.grids:
        by_district.setdefault(info.district_code, []).append(info)
    for district_code in sorted(by_district):
        infos = by_district[district_code]
        district = DISTRICT_BY_CODE[district_code]
        townships: dict[str, list] = {}
        for info in infos:
            townships.setdefault(info.township_code, []).append(info)
        for level, ages, size in SCHOOL_LEVELS:
            areas = [(infos[0].township_code, infos)] if level == "高级中学" else sorted(townships.items())
            for township_code, area in areas:
                pupils = [(key, age, info) for info in area for key, age in zip(info.child_keys, info.child_ages) if age in ages]
                n = max(1, round(len(pupils) / size))
                rng = random.Random(f"{world.seed}/world/schools/{township_code}/{level}")
                t_name = world.township_by_code[township_code].name
                for s in range(n):
                    serial += 1
                    host = area[s % len(area)]
                    public = rng.random() < 0.9
                    own = pupils[s::n]
                    row = _row(world, host, rng, serial=serial, kind="事业单位" if public else "民办非企业单位",
                               category="school",
                               name=_school_name(rng, district.name, t_name, level, s, n, public),
                               industry="教育", established=_date_between(rng, dt.date(1960, 1, 1), dt.date(2015, 1, 1)),
                               status="存续", rep=_legal_rep(world, host, rng, 0.9),
                               place=rng.choice(host.places) if host.places else None,
                               is_fire_key_unit=True, school_type=level, students=len(own))
                    yield row, [{"school_uscc": row["uscc"], "person_key": f"P{key:09d}", "age": age,
                                 "grade": age - ages.start + 1, "grid_code": info.grid_code} for key, age, info in own]
