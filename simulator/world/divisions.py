"""The 统计用区划代码 hierarchy of Yichun (统计局, source #24) and the 自然村 under its 行政村 (农业农村局, #28).

12-digit code = 2 province (36) + 2 city (09) + 2 county + 3 township + 3 village, as the 统计局 publishes it:
township digits 001–099 are 街道, 100–199 镇, 200–399 乡; village digits 001–199 are 社区居委会, 200–399 村委会.
Each village carries its 城乡分类代码: 111 主城区, 112 城乡结合区, 121 镇中心区, 122 镇乡结合区, 123 特殊区域,
210 乡中心区, 220 村庄. 自然村 have no statistical code; we give them ``<village 12 digits><2-digit serial>``.

The CityMap's grids arrive one by one per district (grid serials 1, 2, …); :class:`DivisionPlanner` opens
townships and villages as the district fills up, so every grid belongs to exactly one 村/社区 and the
hierarchy is a pure function of the seed and the sequence of grids. Urban grids (those of a 社区) belong to a
社区居委会, rural ones to a 村委会.

Coordinates are WGS-84 approximations: each district is a disc around its seat (real seats, radii that keep
the disc inside the county), townships and villages are points in it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from faker import Faker

from simulator.geography import DISTRICTS, District

PROVINCE_CODE, PROVINCE_NAME = "36", "江西省"
CITY_CODE, CITY_NAME = "3609", "宜春市"

URBAN_RURAL = {
    "111": "主城区", "112": "城乡结合区", "121": "镇中心区", "122": "镇乡结合区", "123": "特殊区域",
    "210": "乡中心区", "220": "村庄",
}
STREET_OFFICE, TOWN, TOWNSHIP = "街道", "镇", "乡"
COMMUNITY, VILLAGE = "社区居委会", "村委会"
# Villages with a 村级综合服务设施: a few below their 90% target in some counties, as a real city would be.
SERVICE_FACILITY_SHARE = 0.92

# (latitude, longitude, radius in degrees) of each district's disc: the seat, and a radius inside the county.
DISTRICT_DISCS: dict[str, tuple[float, float, float]] = {
    "360902": (27.80, 114.38, 0.20), "360921": (28.70, 115.38, 0.15), "360922": (28.11, 114.44, 0.15),
    "360923": (28.23, 114.93, 0.12), "360924": (28.39, 114.78, 0.15), "360925": (28.86, 115.36, 0.12),
    "360926": (28.52, 114.37, 0.12), "360981": (28.16, 115.78, 0.20), "360982": (28.06, 115.54, 0.12),
    "360983": (28.42, 115.37, 0.18),
}
# Share of a district's townships that are 街道 (the rest: 镇 3 in 4, 乡 1 in 4).
_STREET_OFFICE_SHARE = {"360902": 0.45, "360981": 0.30, "360982": 0.30, "360983": 0.30}
_SYLLABLES = "洪塘新田石桥黄岗山下坊湾源溪坪岭圩港洲枫林竹梅杨柳东西南北上中高龙凤长白沙泉水庄湖井江茶桃花金岩丰乐安和"
_SURNAMES = "刘陈李张黄王罗吴胡彭易钟袁邓曾谢熊付廖晏"
_NATURAL_TAILS = ("家", "家村", "屋", "家坊", "家湾", "家垅")


def in_district(district_code: str, lat: float, lon: float) -> bool:
    """True when the point lies in the district's disc (what cameras and events are placed in)."""
    c_lat, c_lon, r = DISTRICT_DISCS[district_code]
    return (lat - c_lat) ** 2 + (lon - c_lon) ** 2 <= r * r + 1e-12


def point_near(rng: random.Random, district_code: str, lat: float, lon: float, radius: float) -> tuple[float, float]:
    """A point within ``radius`` of (lat, lon), inside the district's disc, rounded to 6 decimals (~0.1 m)."""
    for _ in range(100):
        a, d = rng.uniform(0, 2 * math.pi), radius * math.sqrt(rng.random())
        p = (round(lat + d * math.sin(a), 6), round(lon + d * math.cos(a), 6))
        if in_district(district_code, *p):
            return p
    return round(lat, 6), round(lon, 6)


@dataclass
class NaturalVillage:
    code: str  # village code + 2 digits (not a statistical code)
    name: str
    village_code: str
    lat: float
    lon: float


@dataclass
class Village:
    code: str  # 12 digits
    name: str
    kind: str  # 社区居委会 / 村委会
    urban_rural_code: str
    township_code: str  # 9 digits
    district_code: str
    lat: float
    lon: float
    planned_grids: int
    grid_codes: list[str] = field(default_factory=list)
    natural_villages: list[NaturalVillage] = field(default_factory=list)

    @property
    def is_urban(self) -> bool:
        return self.kind == COMMUNITY

    def has_service_facility(self, seed: int) -> bool:
        """Whether the village has its 村级综合服务设施 (the plan: every urban community has one, ≥90% of
        villages). Drawn from the village's own stream, so every feed and the truth agree."""
        if self.is_urban:
            return True
        return random.Random(f"{seed}/world/service_facility/{self.code}").random() < SERVICE_FACILITY_SHARE


@dataclass
class Township:
    code: str  # 9 digits
    name: str
    kind: str  # 街道 / 镇 / 乡
    district_code: str
    lat: float
    lon: float
    plan: list[tuple[str, str, int]]  # villages to open: (kind, 城乡分类代码, grids)
    villages: list[Village] = field(default_factory=list)


@dataclass
class _DistrictState:
    townships: list[Township] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    serials: dict[str, int] = field(default_factory=dict)  # township kind → last serial


def _township_plan(rng: random.Random, kind: str) -> list[tuple[str, str, int]]:
    if kind == STREET_OFFICE:
        return [(COMMUNITY, "111" if rng.random() < 0.8 else "112", rng.randint(2, 4)) for _ in range(rng.randint(4, 8))]
    if kind == TOWN:
        plan = [(COMMUNITY, "121", rng.randint(1, 3))]
        if rng.random() < 0.5:
            plan.append((COMMUNITY, "122", rng.randint(1, 2)))
        if rng.random() < 0.1:
            plan.append((COMMUNITY, "123", 1))  # a 林场 / 工业园 living quarter
        plan += [(VILLAGE, "122" if rng.random() < 0.15 else "220", rng.randint(1, 2)) for _ in range(rng.randint(8, 18))]
    else:
        plan = [(COMMUNITY, "210", 1)] + [(VILLAGE, "220", rng.randint(1, 2)) for _ in range(rng.randint(5, 12))]
    # Grids fill the plan in order: shuffled, a small city's few grids are not all seats of their townships.
    rng.shuffle(plan)
    return plan


class DivisionPlanner:
    """Assigns each grid of the CityMap to a 村/社区, opening townships and villages as districts fill up."""

    def __init__(self, seed: int | str) -> None:
        self.seed = seed
        self._rngs: dict[str, random.Random] = {}
        self._fakes: dict[str, Faker] = {}
        self._state: dict[str, _DistrictState] = {}

    def _rng(self, district_code: str) -> random.Random:
        # One stream per district: grids of one district arrive in order whatever the others do.
        if district_code not in self._rngs:
            self._rngs[district_code] = random.Random(f"{self.seed}/world/divisions/{district_code}")
            fake = Faker("zh_CN")
            fake.seed_instance(f"{self.seed}/world/divisions/{district_code}")
            self._fakes[district_code] = fake
        return self._rngs[district_code]

    def _township_name(self, district_code: str, kind: str, st: _DistrictState) -> str:
        fake = self._fakes[district_code]
        for _ in range(100):
            name = fake.district() + kind
            if name not in st.names:
                st.names.add(name)
                return name
        n = len(st.names)
        name = f"第{n}{kind}"
        st.names.add(name)
        return name

    def _open_township(self, district: District, st: _DistrictState) -> Township:
        rng = self._rng(district.code)
        if rng.random() < _STREET_OFFICE_SHARE.get(district.code, 0.2):
            kind, first, last = STREET_OFFICE, 1, 99
        elif rng.random() < 0.75:
            kind, first, last = TOWN, 100, 199
        else:
            kind, first, last = TOWNSHIP, 200, 399
        serial = st.serials.get(kind, first - 1) + 1
        if serial > last:  # the code space of this kind is full: the others still have room, or reuse the last
            for k2, f2, l2 in ((STREET_OFFICE, 1, 99), (TOWN, 100, 199), (TOWNSHIP, 200, 399)):
                s2 = st.serials.get(k2, f2 - 1) + 1
                if s2 <= l2:
                    kind, serial = k2, s2
                    break
            else:
                raise RuntimeError(f"{district.name}: township codes exhausted")
        st.serials[kind] = serial
        c_lat, c_lon, r = DISTRICT_DISCS[district.code]
        lat, lon = point_near(rng, district.code, c_lat, c_lon, r * (0.3 if kind == STREET_OFFICE else 0.9))
        t = Township(f"{district.code}{serial:03d}", self._township_name(district.code, kind, st), kind,
                     district.code, lat, lon, _township_plan(rng, kind))
        st.townships.append(t)
        return t

    def _open_village(self, t: Township, kind: str, ur_code: str, grids: int) -> Village:
        rng = self._rng(t.district_code)
        used = {v.name for v in t.villages}
        n_comm = sum(1 for v in t.villages if v.kind == COMMUNITY)
        n_vill = len(t.villages) - n_comm
        serial = n_comm + 1 if kind == COMMUNITY else 200 + n_vill + 1
        if serial > (199 if kind == COMMUNITY else 399):
            raise RuntimeError(f"{t.name}: village codes exhausted")
        for _ in range(100):
            stem = rng.choice(_SYLLABLES) + rng.choice(_SYLLABLES)
            name = stem + ("社区" if kind == COMMUNITY else "村")
            if name not in used and stem[0] != stem[1]:
                break
        else:
            name = f"第{serial}" + ("社区" if kind == COMMUNITY else "村")
        lat, lon = point_near(rng, t.district_code, t.lat, t.lon, 0.01 if kind == COMMUNITY else 0.04)
        v = Village(f"{t.code}{serial:03d}", name, kind, ur_code, t.code, t.district_code, lat, lon, grids)
        if kind == VILLAGE:
            names: set[str] = set()
            for k in range(1, rng.randint(3, 8) + 1):
                nv_name = rng.choice(_SURNAMES) + rng.choice(_NATURAL_TAILS)
                while nv_name in names:
                    nv_name = rng.choice("上下前后大小") + nv_name
                names.add(nv_name)
                v.natural_villages.append(NaturalVillage(f"{v.code}{k:02d}", nv_name, v.code,
                                                         *point_near(rng, t.district_code, lat, lon, 0.015)))
        t.villages.append(v)
        return v

    def assign(self, grid_code: str, district: District) -> Village:
        """The 村/社区 the next grid of ``district`` belongs to."""
        st = self._state.setdefault(district.code, _DistrictState())
        self._rng(district.code)
        t = st.townships[-1] if st.townships else None
        v = t.villages[-1] if t and t.villages else None
        if v is None or len(v.grid_codes) >= v.planned_grids:
            if t is None or len(t.villages) >= len(t.plan):
                t = self._open_township(district, st)
            v = self._open_village(t, *t.plan[len(t.villages)])
        v.grid_codes.append(grid_code)
        return v

    def townships(self) -> list[Township]:
        """Every township opened so far, by district code then township code."""
        return [t for code in sorted(self._state) for t in sorted(self._state[code].townships, key=lambda t: t.code)]


def division_rows(townships: list[Township], seed: int | None = None) -> list[dict]:
    """The 统计局 reference table: one row per 12-digit code (province, city, county, township, village);
    with ``seed``, a village's row also says whether it has its 综合服务设施 (the truth's column)."""
    rows = [{"code": f"{PROVINCE_CODE}0000000000", "name": PROVINCE_NAME, "level": "province", "parent_code": None,
             "urban_rural_code": None, "kind": None},
            {"code": f"{CITY_CODE}00000000", "name": CITY_NAME, "level": "city", "parent_code": f"{PROVINCE_CODE}0000000000",
             "urban_rural_code": None, "kind": None}]
    by_district: dict[str, list[Township]] = {}
    for t in townships:
        by_district.setdefault(t.district_code, []).append(t)
    for d in DISTRICTS:
        if d.code not in by_district:
            continue
        rows.append({"code": f"{d.code}000000", "name": d.name, "level": "county", "parent_code": f"{CITY_CODE}00000000",
                     "urban_rural_code": None, "kind": None})
        for t in by_district[d.code]:
            rows.append({"code": f"{t.code}000", "name": t.name, "level": "township", "parent_code": f"{d.code}000000",
                         "urban_rural_code": None, "kind": t.kind})
            for v in t.villages:
                rows.append({"code": v.code, "name": v.name, "level": "village", "parent_code": f"{t.code}000",
                             "urban_rural_code": v.urban_rural_code, "kind": v.kind,
                             "has_service_facility": None if seed is None else v.has_service_facility(seed)})
    return rows


def natural_village_rows(townships: list[Township]) -> list[dict]:
    """农业农村局's 行政村/自然村 list: one row per 自然村."""
    return [{"natural_village_code": nv.code, "name": nv.name, "village_code": v.code, "village_name": v.name,
             "township_code": f"{t.code}000", "district_code": t.district_code, "lat": nv.lat, "lon": nv.lon}
            for t in townships for v in t.villages for nv in v.natural_villages]
