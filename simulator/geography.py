"""The city's places: Yichun's districts (GB/T 2260), their streets, compounds, buildings, rooms and grids.

Places are built grid by grid (a grid = a few compounds holding 300–500 households), so a city of any size
is generated as a stream of grids; only per-street door counters and used compound names are kept.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class District:
    code: str  # current GB/T 2260 code (3609xx)
    name: str
    weight: float  # share of the city's population (2020 census, rounded)
    id_codes: tuple[str, ...]  # address codes its ID numbers carry: current first, then predecessors
    streets: tuple[str, ...]


# Predecessor codes (宜春地区 3622xx, until 2000) follow stdnum's loc.dat; which one applies to a birth
# year is decided there (see idnumbers.era_code).
DISTRICTS: tuple[District, ...] = (
    District("360902", "袁州区", 0.22, ("360902", "362201"),
             ("秀江东路", "秀江西路", "宜春中路", "袁山中路", "明月北路", "中山中路", "鼓楼路", "东风大街", "宜阳大道", "高士北路", "环城南路", "化成路")),
    District("360921", "奉新县", 0.06, ("360921", "362226"),
             ("冯川路", "应星路", "华林大道", "城南大道", "新兴路", "胜利路")),
    District("360922", "万载县", 0.10, ("360922", "362227"),
             ("康乐路", "锦绣大道", "城北大道", "龙河路", "书院路", "解放路")),
    District("360923", "上高县", 0.07, ("360923", "362228"),
             ("敖阳路", "镜山路", "和平路", "锦江大道", "沿江路", "新华路")),
    District("360924", "宜丰县", 0.05, ("360924", "362229"),
             ("新昌路", "桥西路", "城北路", "工业大道", "人民路", "长埠路")),
    District("360925", "靖安县", 0.03, ("360925", "362232"),
             ("双溪路", "香田路", "宝峰路", "建设路", "城南路")),
    District("360926", "铜鼓县", 0.03, ("360926", "362233"),
             ("定江路", "永宁路", "温泉路", "城东路", "新城大道")),
    District("360981", "丰城市", 0.21, ("360981", "362202", "362221"),
             ("剑光路", "龙津大道", "新城大道", "丰城大道", "紫云路", "孙渡路", "东方大道")),
    District("360982", "樟树市", 0.10, ("360982", "362203", "362223"),
             ("药都大道", "福城路", "清江路", "四特大道", "城北路", "盐城大道")),
    District("360983", "高安市", 0.13, ("360983", "362204", "362222"),
             ("瑞阳大道", "锦江路", "筠州大道", "高安大道", "碧落路", "八景路")),
)
DISTRICT_BY_CODE: dict[str, District] = {d.code: d for d in DISTRICTS}

_COMPOUND_HEADS = ("金域", "碧桂", "恒大", "锦绣", "翠苑", "阳光", "书香", "江南", "明珠", "御景", "香樟", "秀水",
                   "月亮湾", "滨江", "紫荆", "桂花", "东方", "盛世", "天骄", "凤凰", "文博", "嘉和", "中央", "华庭")
_COMPOUND_TAILS = ("华府", "花园", "小区", "名城", "新村", "公馆", "家园", "雅苑", "府邸", "星城", "御府", "豪庭")
_PHASES = ("", "二期", "三期", "四期", "五期", "六期", "七期", "八期")
# Streets beyond each district's own list, opened as the district fills up (a 5M city needs thousands of
# compounds; a street then carries at most a few hundred door numbers).
_STREET_BASES = ("人民", "建设", "解放", "新华", "胜利", "和平", "文化", "青年", "工业", "学府", "迎宾", "滨江",
                 "育才", "光明", "幸福", "振兴", "长青", "金桂", "望江", "春台")
_STREET_KINDS = ("路", "东路", "西路", "南路", "北路", "街", "巷", "大道")
EXTRA_STREETS: tuple[str, ...] = tuple(b + k for k in _STREET_KINDS for b in _STREET_BASES)


@dataclass(frozen=True)
class House:
    """One room (户室): the unit of the housing register and of the standard address."""

    house_id: str
    division_code: str
    district_name: str
    street: str
    door: int
    compound: str
    building: int
    unit: int | None  # None: the building has no units
    room: str  # e.g. "1201" (floor 12, position 01)
    usage: str
    floor_area: float
    grid_code: str

    @property
    def address_key(self) -> str:
        """Standard address key, see docs/architecture.md §3."""
        unit = "" if self.unit is None else str(self.unit)
        return f"{self.division_code}|{self.street}|{self.door}|{self.building}|{unit}|{self.room}"


class CityMap:
    """Hands out grids and the rooms in them; owns every counter that keeps codes and addresses unique."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._next_door: dict[tuple[str, str], int] = {}
        self._compounds_used: set[tuple[str, str, str]] = set()
        self._grids_in: dict[str, int] = {}
        self._house_seq = 0

    def new_grid(self) -> tuple[str, District]:
        district = self._rng.choices(DISTRICTS, weights=[d.weight for d in DISTRICTS])[0]
        n = self._grids_in.get(district.code, 0) + 1
        self._grids_in[district.code] = n
        return f"{district.code}{n:06d}", district

    def _compound_name(self, district: District, street: str) -> str:
        """A compound name not yet used on this street."""
        for _ in range(50):
            name = self._rng.choice(_COMPOUND_HEADS) + self._rng.choice(_COMPOUND_TAILS)
            for phase in _PHASES:
                if (district.code, street, name + phase) not in self._compounds_used:
                    self._compounds_used.add((district.code, street, name + phase))
                    return name + phase
        for phase in _PHASES:  # a crowded street: the first free name in a fixed order
            for head in _COMPOUND_HEADS:
                for tail in _COMPOUND_TAILS:
                    if (district.code, street, head + tail + phase) not in self._compounds_used:
                        self._compounds_used.add((district.code, street, head + tail + phase))
                        return head + tail + phase
        raise RuntimeError(f"compound names exhausted on {district.name}{street}")

    def _streets(self, district: District) -> list[str]:
        """The district's streets in use: its own, plus one more for every 5 grids beyond the first 10."""
        extra = max(0, (self._grids_in.get(district.code, 0) - 10) // 5)
        return list(district.streets) + [s for s in EXTRA_STREETS if s not in district.streets][:extra]

    def _door(self, district: District, street: str) -> int:
        key = (district.code, street)
        door = self._next_door.get(key, self._rng.randint(1, 20)) + self._rng.randint(1, 15) * 2
        self._next_door[key] = door
        return door

    def build_rooms(self, district: District, grid_code: str, at_least: int) -> list[House]:
        """Compounds on the grid's streets until they hold ``at_least`` rooms (every room of a compound)."""
        rng = self._rng
        streets = rng.sample(self._streets(district), k=2)
        houses: list[House] = []
        while len(houses) < at_least:
            street = rng.choice(streets)
            door = self._door(district, street)
            compound = self._compound_name(district, street)
            has_units = rng.random() < 0.65
            for building in range(1, rng.randint(1, 5) + 1):
                units = range(1, rng.randint(1, 2) + 1) if has_units else (None,)
                floors = rng.choice((5, 6, 6, 7, 9, 11, 12, 18))
                per_floor = rng.choice((2, 2, 3))
                base_area = rng.choice((68.0, 89.0, 96.0, 108.0, 125.0, 143.0))
                for unit in units:
                    for floor in range(1, floors + 1):
                        for pos in range(1, per_floor + 1):
                            self._house_seq += 1
                            houses.append(
                                House(
                                    house_id=f"F{district.code}{self._house_seq:09d}",
                                    division_code=district.code,
                                    district_name=district.name,
                                    street=street,
                                    door=door,
                                    compound=compound,
                                    building=building,
                                    unit=unit,
                                    room=f"{floor}{pos:02d}",
                                    usage=rng.choices(("住宅", "商业", "办公"), weights=(96, 3, 1))[0],
                                    floor_area=round(base_area + rng.uniform(-3, 3), 2),
                                    grid_code=grid_code,
                                )
                            )
        return houses
