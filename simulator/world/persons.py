"""Persons as the world's entities refer to them: residents of the population, or people made up with valid
ID numbers when no resident fits (a legal representative living elsewhere, a grid worker of an empty grid)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace

from simulator import idnumbers
from simulator.geography import DISTRICT_BY_CODE
from simulator.people import Person

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
_GIVEN_M = "伟强磊军勇杰涛斌明超辉刚华平建国志文俊鹏飞浩宇晨阳林峰"
_GIVEN_F = "芳娜敏静丽艳娟霞燕玲婷雪慧莉萍红梅琳颖倩洁晶妍欣怡"
_MOBILE_PREFIXES = ("133", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "177",
                    "180", "181", "182", "183", "187", "188", "189", "191", "198", "199")


@dataclass(frozen=True)
class PersonRef:
    person_key: str  # "" for a person who is not a resident of the population
    name: str
    id_number: str
    sex: str
    birth_date: dt.date
    phone: str
    address: str

    def with_phone(self, rng: random.Random) -> "PersonRef":
        return replace(self, phone=phone(rng))


def phone(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def person_ref(p: Person) -> PersonRef:
    from simulator.address import standard_address

    return PersonRef(p.person_key, p.name, p.id_number, p.sex, p.birth_date, p.phone, standard_address(p.house))


def name(rng: random.Random, male: bool) -> str:
    pool = _GIVEN_M if male else _GIVEN_F
    return rng.choice(_SURNAMES) + "".join(rng.choice(pool) for _ in range(rng.choice((1, 2, 2))))


def new_person(rng: random.Random, ids: idnumbers.IdRegistry, as_of: dt.date, age: int, home_district: str,
               address: str) -> PersonRef:
    """A person outside the population, born in ``home_district`` (era-correct code), with a unique valid ID."""
    male = rng.random() < 0.6
    birth = as_of - dt.timedelta(days=int(age * 365.25) + rng.randint(0, 364))
    code = idnumbers.era_code(DISTRICT_BY_CODE[home_district].id_codes, birth.year)
    return PersonRef("", name(rng, male), ids.issue(code, birth, male, rng), "男" if male else "女", birth,
                     phone(rng), address)


def reserve(ids: idnumbers.IdRegistry, id_number: str) -> None:
    """Mark an ID already issued (when the registry did not issue the population's numbers itself)."""
    ids._issued.add(int(id_number[:17]))  # the registry's own key: first 17 digits
