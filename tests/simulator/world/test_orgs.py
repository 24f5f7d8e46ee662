"""Organisations are tied to the city: legal representatives are residents (same ID) or outsiders with valid
IDs, addresses are rooms of the register in the organisation's grid, students are school-age residents."""

from __future__ import annotations

from stdnum.cn import ric

from tests.simulator.world.conftest import AS_OF


def test_legal_representatives_are_real_people(truth, residents):
    orgs = truth["orgs"]
    assert ric_all(orgs["legal_rep_id_number"])
    linked = orgs[orgs["legal_rep_person_key"].notna()]
    assert len(linked) > 0.6 * len(orgs)
    assert (linked["legal_rep_id_number"] == linked["legal_rep_person_key"].map(residents.id_number)).all()


def ric_all(ids) -> bool:
    return all(ric.is_valid(i) for i in set(ids))


def test_addresses_are_rooms_of_the_organisations_grid(truth, world):
    orgs = truth["orgs"].dropna(subset=["house_id"])
    places = {p.house_id: (g.grid_code, p.address) for g in world.grids for p in g.places}
    assert orgs["house_id"].map(lambda h: places[h][0]).eq(orgs["grid_code"]).all()
    assert orgs["house_id"].map(lambda h: places[h][1]).eq(orgs["address"]).all()
    assert orgs["address"].str.startswith("江西省宜春市").all()


def test_students_are_school_age_residents_enrolled_once(truth, residents):
    students, orgs = truth["students"], truth["orgs"]
    schools = orgs[orgs["category"] == "school"].set_index("uscc")
    assert students["person_key"].is_unique
    assert students["person_key"].isin(list(residents.birth)).all()
    ages = students["person_key"].map(lambda k: (AS_OF - residents.birth[k]).days * 100 // 36525)
    assert ages.eq(students["age"]).all()
    levels = students["school_uscc"].map(schools["school_type"])
    assert students.loc[levels == "小学", "age"].between(6, 11).all()
    assert students.loc[levels == "高级中学", "age"].between(15, 17).all()
    assert students.groupby("school_uscc").size().reindex(schools.index, fill_value=0).eq(schools["students"]).all()
    school_age = sum(1 for b in residents.birth.values() if 6 <= (AS_OF - b).days * 100 // 36525 <= 17)
    assert len(students) == school_age
