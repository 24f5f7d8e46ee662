"""Person entity resolution and the population marts, graded against the simulated city's ground truth.

The truth of a person record is the simulator's entity of the record (records.parquet), found per feed:
- person feeds: the entity is the person (person_key; a person who died before the as-of date and is in
  no register is keyed by the ID number);
- organisation feeds (个体工商户 operator, 企业 legal representative): the entity is the organisation, whose
  true operator is in orgs.parquet;
- house feeds (出租房屋 landlord, 房屋/不动产 owner, 网签 buyer): the entity is the room, whose true owner is
  in houses.parquet;
- 婚姻登记: the entity is the household: husband/wife are its 户主 and 配偶 of that sex;
- events naming a person without ID (12345, 110, petitions, grid events, complaints …): the simulator
  does not write the caller into the truth, so the truth is the one true person with exactly the name
  and phone the record carries (records whose name and phone match no single true person are not graded).

Precision and recall are pairwise over the graded records (is_main_person, plus both spouses): of the
record pairs the warehouse puts in one person, the share that truly are one person, and of the pairs that
truly are one person, the share the warehouse puts together.

Reproduce the figures of docs/warehouse.md § Person linkage:
    .venv/bin/python -m tests.dbt_project.test_persons /tmp/city   # builds a 3,000-person city there
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

PRECISION_TARGET = 0.995
RECALL_TARGET = 0.99

# API and front-end-database feeds: the truth names their records by the primary key, '|'-joined.
RECORD_KEYS = {
    "renshe.canbao": "insured_id || '|' || scheme",
    "renshe.jiuye": "registration_id",
    "yibao.canbao": "psn_no",
    "shuju.hotline": "work_order_id",
    "zhengfawei.wanggeyuan": "worker_id",
    "zhengfawei.wangge_shijian": "event_id",
    "weijian.chusheng": "certificate_id",
    "weijian.jingshen": "patient_id",
    "weijian.siwang": "certificate_id",
}
HOUSE_FEEDS = ("gongan.chuzu", "zhujian.fangwu", "ziranziyuan.budongchan", "zhujian.wangqian")
ORG_FEEDS = ("shichang.getihu", "shichang.qiye")
EVENT_FEEDS = ("shuju.hotline", "gongan.jingqing", "xinfang.xinfangjian", "zhengfawei.wangge_shijian",
               "fulian.weiquan", "shengtai.tousu", "yingji.tufa", "sifa.tiaojie")


def graded_records(con: duckdb.DuckDBPyConnection, truth: Path) -> duckdb.DuckDBPyRelation:
    """person_record_id, feed_id, role, person_id (the warehouse's), true_key, match_method."""
    t = str(truth)
    keyed = " union all ".join(
        f"select record_id, {expr} as record_key from staging.stg_{feed.replace('.', '__')}"
        for feed, expr in RECORD_KEYS.items())
    con.execute(f"""
        create or replace temp table graded as
        with
        linked as (
            select l.person_record_id, l.feed_id, l.role, l.person_id, l.match_method, u.name, u.phone,
                   u.source_file, u.source_row_number, k.record_key
            from intermediate.int_persons_linked l
            join intermediate.int_persons_unioned u using (person_record_id)
            left join ({keyed}) k on k.record_id = l.record_id
            where l.is_main_person
        ),
        records as (
            select *, case when sheet is null then source else source || '#' || sheet end as sheet_source
            from '{t}/records.parquet'
        ),
        truth_of_record as (
            select l.*, r.entity_key
            from linked l
            join records r
              on r.contract_id = l.feed_id
             and ((l.record_key is not null and r.record_key = l.record_key)
                  or (l.record_key is null and r.row_number = l.source_row_number
                      and l.source_file in (r.source, r.sheet_source)))
        ),
        persons as (select * from '{t}/persons.parquet'),
        houses as (select * from '{t}/houses.parquet'),
        orgs as (select * from '{t}/orgs.parquet'),
        by_name_phone as (
            select name, phone, min(person_key) as person_key
            from persons group by name, phone having count(*) = 1
        ),
        resolved as (
            select t.*,
                case
                    when t.feed_id in {HOUSE_FEEDS} then h.owner_person_key
                    when t.feed_id in {ORG_FEEDS} then coalesce(o.legal_rep_person_key, o.legal_rep_id_number)
                    when t.feed_id = 'minzheng.hunyin' then (
                        select min(p.person_key) from persons p
                        where p.household_id = t.entity_key and p.relation_to_head in ('户主', '配偶')
                          and p.sex = case t.role when 'husband' then '男' else '女' end)
                    when t.feed_id in {EVENT_FEEDS} then b.person_key
                    else t.entity_key
                end as true_key
            from truth_of_record t
            left join houses h on h.house_id = t.entity_key
            left join orgs o on o.uscc = t.entity_key
            left join by_name_phone b on b.name = t.name and b.phone = t.phone
        )
        select person_record_id, feed_id, role, person_id, true_key, match_method
        from resolved where true_key is not null
    """)
    return con.table("graded")


def pairwise(con: duckdb.DuckDBPyConnection) -> dict:
    tp, predicted, actual, n = con.execute("""
        select
            (select coalesce(sum(c * (c - 1) / 2), 0) from
                (select count(*) c from graded group by person_id, true_key)),
            (select coalesce(sum(c * (c - 1) / 2), 0) from (select count(*) c from graded group by person_id)),
            (select coalesce(sum(c * (c - 1) / 2), 0) from (select count(*) c from graded group by true_key)),
            (select count(*) from graded)
    """).fetchone()
    return {"records": n, "true_pairs": int(actual), "predicted_pairs": int(predicted), "correct_pairs": int(tp),
            "precision": tp / predicted if predicted else 1.0, "recall": tp / actual if actual else 1.0}


def per_method(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Record-level: a record is right when its person holds the majority of its true person's records."""
    return con.execute("""
        with majority as (
            select true_key, arg_max(person_id, c) as person_id from
                (select true_key, person_id, count(*) c from graded group by all) group by true_key
        )
        select g.match_method, count(*) as records, avg(case when g.person_id = m.person_id then 1.0 else 0 end)
        from graded g join majority m using (true_key) group by 1 order by 1
    """).fetchall()


@pytest.fixture
def graded(sim_built, sim_wh):
    graded_records(sim_wh, sim_built.sim_dir / "truth")
    return sim_wh


def test_every_person_feed_is_graded(graded):
    feeds = {f for (f,) in graded.execute("select distinct feed_id from graded").fetchall()}
    assert {"gongan.hukou", "gongan.liudong", "renshe.canbao", "yibao.canbao", "weijian.chusheng",
            "shuju.hotline", "gongan.chuzu", "minzheng.hunyin"} <= feeds


def test_person_linkage_meets_precision_and_recall_targets(graded):
    m = pairwise(graded)
    assert m["precision"] >= PRECISION_TARGET, m
    assert m["recall"] >= RECALL_TARGET, m


def test_records_without_an_id_are_linked_probabilistically(graded):
    methods = {m: (n, acc) for m, n, acc in per_method(graded)}
    n, acc = methods["probabilistic"]
    assert n >= 100 and acc >= 0.98, methods


def test_dim_person_residents_match_the_true_population(sim_built, sim_wh):
    t = sim_built.sim_dir / "truth"
    n, missing, wrong_type, wrong_house, wrong_grid = sim_wh.execute(f"""
        select count(*),
               count(*) filter (where d.person_id is null),
               count(*) filter (where d.population_type <> p.population_type),
               count(*) filter (where d.house_id is distinct from p.house_id),
               count(*) filter (where d.grid_code is distinct from p.grid_code)
        from '{t}/persons.parquet' p left join marts.dim_person d on d.person_id = p.id_number
    """).fetchone()
    assert missing <= 0.005 * n and wrong_type == 0, (n, missing, wrong_type)
    assert wrong_house <= 0.05 * n and wrong_grid <= 0.005 * n, (wrong_house, wrong_grid)


def test_dim_household_holds_the_registered_households(sim_built, sim_wh):
    t = sim_built.sim_dir / "truth"
    true = sim_wh.execute(f"select count(distinct household_id) from '{t}/persons.parquet' "
                          "where population_type = '户籍'").fetchone()[0]
    got = sim_wh.execute("select count(*) from marts.dim_household where household_type = '户籍户'").fetchone()[0]
    assert abs(got - true) <= 0.01 * true, (got, true)


def test_deaths_mark_persons_deceased(sim_built, sim_wh):
    deceased = sim_wh.execute("select count(*) from marts.dim_person where is_deceased").fetchone()[0]
    certificates = sim_wh.execute("select count(distinct std_id_number) from staging.stg_weijian__siwang "
                                  "where std_id_number is not null").fetchone()[0]
    assert deceased >= certificates > 0


if __name__ == "__main__":
    from tests.dbt_project.sim_city import build_sim_warehouse

    root = Path(sys.argv[1])
    if not (root / "wh.duckdb").exists():
        build_sim_warehouse(root)
    con = duckdb.connect(str(root / "wh.duckdb"), read_only=True)
    graded_records(con, root / "data" / "sim" / "truth")
    print(pairwise(con))
    for row in per_method(con):
        print(row)
    print(con.execute("select feed_id, count(*), count(distinct true_key) from graded group by 1 order by 1").fetchall())
