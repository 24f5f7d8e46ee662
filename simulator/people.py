"""Persons and households, one grid at a time.

A grid gets 300–500 households: registered (户籍) families of ~2.9 persons who own their room, and
floating (流动) households of ~1.9 persons who rent a room from a registered resident of the grid. The
rooms come from :class:`simulator.geography.CityMap`; ~12% of rooms stay vacant.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from faker import Faker

from simulator import idnumbers
from simulator.geography import CityMap, District, House

HUKOU = "户籍"
LIUDONG = "流动"

_HUKOU_SIZES = ((1, 0.15), (2, 0.25), (3, 0.28), (4, 0.18), (5, 0.09), (6, 0.05))  # mean 2.96
_FLOATING_SIZES = ((1, 0.45), (2, 0.30), (3, 0.18), (4, 0.07))  # mean 1.87
_VACANCY = 0.12
_MOBILE_PREFIXES = ("133", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159",
                    "177", "180", "181", "182", "183", "187", "188", "189", "191", "198", "199")
_MINORITIES = ("畲族", "回族", "苗族", "壮族", "满族", "土家族")
_STAY_REASONS = (("务工", 0.62), ("经商", 0.14), ("投靠亲友", 0.10), ("就学", 0.06), ("其他", 0.08))
_TOWNS = ("城关镇", "新田乡", "石桥镇", "河口镇", "杨桥乡", "白沙镇", "龙溪乡", "高坪镇")
_VILLAGES = ("东村", "西岭村", "南塘村", "上坊村", "下湾村", "中洲村", "桥头村", "枫林村")


@dataclass
class Person:
    person_key: str
    id_number: str  # the true 18-digit number
    name: str
    sex: str  # 男 / 女
    birth_date: dt.date
    ethnicity: str
    phone: str  # "" when none
    population_type: str  # 户籍 / 流动
    household_id: str
    relation: str  # 与户主关系
    house: House
    registered_date: dt.date
    origin_address: str = ""  # 户籍地详址 (floating persons)
    stay_reason: str = ""

    @property
    def male(self) -> bool:
        return self.sex == "男"


@dataclass
class Household:
    household_id: str
    population_type: str
    house: House
    members: list[Person] = field(default_factory=list)


@dataclass
class GridPopulation:
    grid_code: str
    district: District
    houses: list[House]
    households: list[Household]
    owners: dict[str, Person]  # house_id → owner
    rented: set[str]  # house_ids let to a floating household
    vacant: set[str]  # house_ids nobody lives in

    @property
    def persons(self) -> list[Person]:
        return [p for h in self.households for p in h.members]


@dataclass
class Counters:
    person: int = 0
    household: int = 0


def _pick(rng: random.Random, table: tuple[tuple[object, float], ...]):
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _birth(rng: random.Random, as_of: dt.date, age: int) -> dt.date:
    latest = as_of - dt.timedelta(days=30)
    born = as_of - dt.timedelta(days=int(age * 365.25) + rng.randint(0, 364))
    return min(born, latest)


def _phone(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _gbk_safe(make) -> str:
    for _ in range(20):
        text = make()
        try:
            text.encode("gbk")
            return text
        except UnicodeEncodeError:
            continue
    raise RuntimeError("could not draw a GBK-encodable value")


class Population:
    """Creates the persons of each grid; one instance per city (it owns the ID registry and counters)."""

    def __init__(self, rng: random.Random, fake: Faker, citymap: CityMap, as_of: dt.date,
                 floating_share: float = 0.25) -> None:
        self.rng = rng
        self.fake = fake
        self.citymap = citymap
        self.as_of = as_of
        self.ids = idnumbers.IdRegistry()
        self.counters = Counters()
        # Probability that a new household is registered, so that floating persons make ~floating_share.
        mean_h = sum(s * w for s, w in _HUKOU_SIZES)
        mean_f = sum(s * w for s, w in _FLOATING_SIZES)
        self._p_hukou = (1 - floating_share) * mean_f / ((1 - floating_share) * mean_f + floating_share * mean_h)

    # -- one person -----------------------------------------------------------------------------------
    def _person(self, *, surname: str | None, male: bool, age: int, population_type: str, household_id: str,
                relation: str, house: House, district: District) -> Person:
        rng, fake = self.rng, self.fake
        birth = _birth(rng, self.as_of, age)
        surname = surname or _gbk_safe(fake.last_name)
        given = _gbk_safe(fake.first_name_male if male else fake.first_name_female)
        origin_address = ""
        if population_type == HUKOU:
            code = idnumbers.era_code(district.id_codes, birth.year)
        else:
            code, origin_address = self._origin(birth.year)
        self.counters.person += 1
        if population_type == HUKOU:
            registered = birth if rng.random() < 0.6 else birth + (self.as_of - birth) * rng.random()
        else:
            registered = self.as_of - dt.timedelta(days=rng.randint(30, 900))
        return Person(
            person_key=f"P{self.counters.person:09d}",
            id_number=self.ids.issue(code, birth, male, rng),
            name=surname + given,
            sex="男" if male else "女",
            birth_date=birth,
            ethnicity="汉族" if rng.random() < 0.995 else rng.choice(_MINORITIES),
            phone=_phone(rng) if age >= 16 and rng.random() < 0.95 else "",
            population_type=population_type,
            household_id=household_id,
            relation=relation,
            house=house,
            registered_date=min(registered, self.as_of - dt.timedelta(days=1)),
            origin_address=origin_address,
            stay_reason=_pick(rng, _STAY_REASONS) if population_type == LIUDONG else "",
        )

    def _origin(self, year: int) -> tuple[str, str]:
        rng = self.rng
        for _ in range(20):
            prov, prov_name, _w = rng.choices(idnumbers.ORIGIN_PROVINCES,
                                              weights=[w for *_, w in idnumbers.ORIGIN_PROVINCES])[0]
            codes = idnumbers.origin_codes(prov, year)
            if not codes:
                continue
            code = rng.choice(codes)
            prefecture = code[:4] + "00"
            pref_name = ""
            if idnumbers.in_force(prefecture, year) and not code.startswith(("1101", "1201", "3101", "5001")):
                pref_name = idnumbers.era_name(prefecture, year)
                if pref_name in ("市辖区", "县"):
                    pref_name = ""
            text = (f"{prov_name}{pref_name}{idnumbers.era_name(code, year)}"
                    f"{rng.choice(_TOWNS)}{rng.choice(_VILLAGES)}{rng.randint(1, 12)}组")
            try:
                text.encode("gbk")
            except UnicodeEncodeError:
                continue
            return code, text
        raise RuntimeError(f"no origin code for {year}")

    # -- households -----------------------------------------------------------------------------------
    def _hukou_members(self, hh: Household, size: int, district: District) -> None:
        rng = self.rng
        head_male = rng.random() < 0.75
        head_age = rng.randint(20, 88) if size == 1 else rng.randint(26, 80)
        head = self._person(surname=None, male=head_male, age=head_age, population_type=HUKOU,
                            household_id=hh.household_id, relation="户主", house=hh.house, district=district)
        family_name = head.name[0] if head_male else None
        hh.members.append(head)
        left = size - 1
        if left and rng.random() < 0.88:
            age = max(20, min(95, head_age + rng.randint(-5, 3)))
            hh.members.append(self._person(surname=None, male=not head_male, age=age, population_type=HUKOU,
                                           household_id=hh.household_id, relation="配偶", house=hh.house,
                                           district=district))
            if not head_male:
                family_name = hh.members[-1].name[0]
            left -= 1
        if left >= 2 and head_age <= 60 and rng.random() < 0.3:
            male = rng.random() < 0.5
            hh.members.append(self._person(surname=head.name[0] if male else None, male=male,
                                           age=min(98, head_age + rng.randint(22, 32)), population_type=HUKOU,
                                           household_id=hh.household_id, relation="父亲" if male else "母亲",
                                           house=hh.house, district=district))
            left -= 1
        for _ in range(left):
            male = rng.random() < 0.52
            age = rng.randint(max(0, head_age - 42), head_age - 20)
            hh.members.append(self._person(surname=family_name or head.name[0], male=male, age=age,
                                           population_type=HUKOU, household_id=hh.household_id,
                                           relation="子" if male else "女", house=hh.house, district=district))

    def _floating_members(self, hh: Household, size: int, district: District) -> None:
        rng = self.rng
        head_male = rng.random() < 0.6
        head_age = rng.randint(18, 58) if size <= 2 else rng.randint(24, 50)
        head = self._person(surname=None, male=head_male, age=head_age, population_type=LIUDONG,
                            household_id=hh.household_id, relation="户主", house=hh.house, district=district)
        hh.members.append(head)
        if size >= 2:
            age = max(18, head_age + rng.randint(-4, 4))
            hh.members.append(self._person(surname=None, male=not head_male, age=age, population_type=LIUDONG,
                                           household_id=hh.household_id, relation="配偶", house=hh.house,
                                           district=district))
        for _ in range(size - 2):
            male = rng.random() < 0.52
            age = rng.randint(0, min(17, head_age - 20))
            hh.members.append(self._person(surname=head.name[0], male=male, age=age, population_type=LIUDONG,
                                           household_id=hh.household_id, relation="子" if male else "女",
                                           house=hh.house, district=district))

    def grid(self, persons_left: int) -> GridPopulation:
        """The next grid with at most ``persons_left`` persons (the last grid of a city may be small)."""
        rng = self.rng
        grid_code, district = self.citymap.new_grid()
        target = rng.randint(300, 500)
        plan: list[tuple[str, int]] = []
        remaining = persons_left
        while len(plan) < target and remaining > 0:
            kind = HUKOU if not plan or rng.random() < self._p_hukou else LIUDONG
            size = min(remaining, _pick(rng, _HUKOU_SIZES if kind == HUKOU else _FLOATING_SIZES))
            plan.append((kind, size))
            remaining -= size
        houses = self.citymap.build_rooms(district, grid_code, math.ceil(len(plan) / (1 - _VACANCY)))
        order = list(range(len(houses)))
        rng.shuffle(order)
        households: list[Household] = []
        for (kind, size), idx in zip(plan, order):
            self.counters.household += 1
            hh = Household(f"{district.code}{self.counters.household:07d}", kind, houses[idx])
            if kind == HUKOU:
                self._hukou_members(hh, size, district)
            else:
                self._floating_members(hh, size, district)
            households.append(hh)
        occupied = {hh.house.house_id for hh in households}
        adults = [p for hh in households if hh.population_type == HUKOU for p in hh.members
                  if (self.as_of - p.birth_date).days >= 22 * 365]
        if not adults:
            adults = [hh.members[0] for hh in households if hh.population_type == HUKOU]
        owners: dict[str, Person] = {}
        rented: set[str] = set()
        for hh in households:
            if hh.population_type == HUKOU:
                owners[hh.house.house_id] = hh.members[0] if len(hh.members) == 1 or rng.random() < 0.7 else hh.members[1]
            else:
                owners[hh.house.house_id] = rng.choice(adults)
                rented.add(hh.house.house_id)
        vacant = {h.house_id for h in houses if h.house_id not in occupied}
        for h in houses:
            if h.house_id in vacant:
                owners[h.house_id] = rng.choice(adults)
        return GridPopulation(grid_code, district, houses, households, owners, rented, vacant)
