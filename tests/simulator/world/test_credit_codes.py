"""Every organisation's 统一社会信用代码 is valid by python-stdnum and by an independent GB 11714 check of the
organisation code it embeds, and says what the organisation is and where it is registered."""

from __future__ import annotations

from stdnum.cn import uscc

from simulator.geography import DISTRICT_BY_CODE

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def gb11714_valid(code: str) -> bool:
    """GB 11714-1997: 8 body chars (digit value, or A=10 … Z=35), check = 11 − Σ mod 11 (10 → X, 11 → 0)."""
    if len(code) != 9 or not code[:8].isalnum():
        return False
    values = [int(c) if c.isdigit() else ord(c) - ord("A") + 10 for c in code[:8]]
    c = 11 - sum(v * w for v, w in zip(values, _ORG_WEIGHTS)) % 11
    return code[8] == {10: "X", 11: "0"}.get(c, str(c))


def test_the_independent_check_knows_a_published_code():
    # 91110000600037341L (python-stdnum's own example) embeds 600037341; a changed check digit must fail
    assert gb11714_valid("600037341") and not gb11714_valid("600037342")


def test_every_credit_code_is_valid(truth):
    orgs = truth["orgs"]
    assert len(orgs) > 1000
    bad = [c for c in orgs["uscc"] if not (uscc.is_valid(c) and gb11714_valid(c[8:17]))]
    assert bad == []
    assert orgs["uscc"].is_unique and orgs["org_code"].is_unique
    assert (orgs["org_code"] == orgs["uscc"].str[8:17]).all()


def test_the_code_says_who_registered_what_where(truth):
    orgs = truth["orgs"]
    prefix = {"企业": "91", "个体工商户": "92", "农民专业合作社": "93", "社会团体": "51", "民办非企业单位": "52",
              "基金会": "53", "事业单位": "12"}
    assert (orgs["uscc"].str[:2] == orgs["org_type"].map(prefix)).all()
    assert (orgs["uscc"].str[2:8] == orgs["district_code"]).all()
    assert orgs["district_code"].isin(list(DISTRICT_BY_CODE)).all()
    new_style = orgs["established_date"] >= __import__("datetime").date(2015, 10, 1)
    assert orgs.loc[new_style, "org_code"].str.startswith("MA").all()
    assert orgs.loc[~new_style, "org_code"].str.fullmatch(r"\d{9}|\d{8}X").all()


def test_every_category_and_flag_is_present(truth):
    orgs = truth["orgs"]
    assert set(orgs["category"]) == {"enterprise", "individual_business", "social_org", "school"}
    assert orgs["is_fire_key_unit"].any() and orgs["is_taxpayer"].any()
    schools = orgs[orgs["category"] == "school"]
    assert schools["is_fire_key_unit"].all() and schools["school_type"].notna().all()
    # hazardous-chemical enterprises are live enterprises and fire-key units
    haz = orgs[orgs["is_hazardous_chemical"]]
    assert (haz["category"] == "enterprise").all() and haz["is_fire_key_unit"].all() and (haz["status"] == "存续").all()
