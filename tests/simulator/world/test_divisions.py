"""The 统计用区划代码 table: unique 12-digit codes consistent with their 6-digit counties, code ranges by
kind, 城乡分类代码 by kind, and every grid in exactly one 村/社区 of its own district."""

from __future__ import annotations

from simulator.geography import DISTRICT_BY_CODE

URBAN_RURAL = {"111", "112", "121", "122", "123", "210", "220"}


def test_codes_are_unique_and_nested(truth):
    d = truth["divisions"]
    assert d["code"].str.fullmatch(r"\d{12}").all() and d["code"].is_unique
    assert set(d["level"]) == {"province", "city", "county", "township", "village"}
    counties = d[d["level"] == "county"]
    assert counties["code"].str[:6].isin(list(DISTRICT_BY_CODE)).all()
    assert (counties["name"] == counties["code"].str[:6].map(lambda c: DISTRICT_BY_CODE[c].name)).all()
    codes = set(d["code"])
    child = d[d["parent_code"].notna()]
    assert child["parent_code"].isin(codes).all()
    twp = d[d["level"] == "township"]
    assert (twp["code"].str[9:] == "000").all() and (twp["parent_code"] == twp["code"].str[:6] + "000000").all()
    vil = d[d["level"] == "village"]
    assert (vil["parent_code"] == vil["code"].str[:9] + "000").all()
    assert (vil["code"].str[9:] != "000").all()


def test_kinds_follow_the_code_ranges(truth):
    d = truth["divisions"]
    twp = d[d["level"] == "township"]
    serial = twp["code"].str[6:9].astype(int)
    assert (serial[twp["kind"] == "街道"].between(1, 99)).all()
    assert (serial[twp["kind"] == "镇"].between(100, 199)).all()
    assert (serial[twp["kind"] == "乡"].between(200, 399)).all()
    vil = d[d["level"] == "village"]
    vserial = vil["code"].str[9:].astype(int)
    assert vserial[vil["kind"] == "社区居委会"].between(1, 199).all()
    assert vserial[vil["kind"] == "村委会"].between(200, 399).all()
    assert vil["urban_rural_code"].isin(URBAN_RURAL).all()
    assert vil.loc[vil["kind"] == "村委会", "urban_rural_code"].isin({"122", "220"}).all()
    assert vil.loc[vil["name"].str.endswith("村"), "kind"].eq("村委会").all()
    # a 街道's villages are all urban communities
    street = set(twp.loc[twp["kind"] == "街道", "code"])
    assert vil.loc[vil["parent_code"].isin(street), "urban_rural_code"].isin({"111", "112"}).all()


def test_grids_belong_to_one_village_of_their_district(truth, world):
    grids, d = truth["grids"], truth["divisions"]
    vil = d[d["level"] == "village"].set_index("code")
    assert grids["grid_code"].is_unique and len(grids) == len(world.grids)
    assert grids["village_code"].isin(vil.index).all()
    assert (grids["village_code"].str[:6] == grids["district_code"]).all()
    assert (grids["grid_code"].str[:6] == grids["district_code"]).all()
    assert (grids["is_urban"] == grids["village_code"].map(vil["kind"]).eq("社区居委会")).all()
    assert (grids["grid_std_code"].str[:12] == grids["village_code"]).all() and grids["grid_std_code"].is_unique
    assert grids["persons"].sum() == world.persons
    nat = truth["natural_villages"]
    assert nat["natural_village_code"].is_unique
    assert nat["village_code"].map(vil["kind"]).eq("村委会").all()
