"""司法局: 刑满释放人员 (安置帮教), an xlsx workbook with a title row above the header.

Released prisoners are drawn from the registered adults of each grid (mostly men); the workbook writes
dates as YYYY-MM-DD. 社区矫正 (two-row merged header) and 人民调解 (an event feed) are not simulated here yet.
"""

from __future__ import annotations

import datetime as dt

from simulator import defects
from simulator.address import standard_address
from simulator.defects import Record
from simulator.feeds import damage
from simulator.feeds.registry import FeedSpec
from simulator.people import HUKOU

DATE = "%Y-%m-%d"
XINGMAN_SHARE = (0.008, 0.0015)  # of registered men / women aged 20–70
CREATOR = "宜春市司法局"
_CRIMES = (("盗窃罪", 0.30), ("诈骗罪", 0.15), ("故意伤害罪", 0.12), ("危险驾驶罪", 0.12), ("寻衅滋事罪", 0.08),
           ("开设赌场罪", 0.06), ("走私、贩卖、运输、制造毒品罪", 0.07), ("交通肇事罪", 0.05), ("抢劫罪", 0.05))
_PRISONS = ("江西省洪都监狱", "江西省赣西监狱", "江西省豫章监狱", "宜春市看守所", "江西省女子监狱")


def _age(p, on: dt.date) -> int:
    return on.year - p.birth_date.year - ((on.month, on.day) < (p.birth_date.month, p.birth_date.day))


def _xingman(ctx, st) -> list[Record]:
    env, rng = st.env, st.rng
    recs = []
    for p in ctx.people:
        share = XINGMAN_SHARE[0] if p.male else XINGMAN_SHARE[1]
        if (p.population_type != HUKOU or not 20 <= _age(p, env.as_of) <= 70
                or not damage.chosen(p.person_key, "sifa.xingman", share)):
            continue
        crime = rng.choices([c for c, _ in _CRIMES], weights=[w for _, w in _CRIMES])[0]
        months = rng.choice((6, 8, 10, 12, 18, 24, 36, 60, 84))
        released = env.as_of - dt.timedelta(days=rng.randint(20, 5 * 365))
        prison = "江西省女子监狱" if not p.male else rng.choice(_PRISONS[:4])
        recs.append(Record(
            values={
                "assist_id": f"AZ{p.house.division_code}{released:%Y}{p.person_key[-6:]}",
                "name": p.name,
                "id_number": p.id_number,
                "sex": p.sex,
                "address": standard_address(p.house),
                "division_code": p.house.division_code,
                "crime": crime,
                "sentence": f"{months // 12}年{months % 12}个月" if months % 12 else f"{months // 12}年",
                "released_date": released.strftime(DATE),
                "prison": prison,
                "resettled": "是" if rng.random() < 0.85 else "否",
                "risk_level": "是" if rng.random() < 0.12 else "否",
                "updated_at": defects.healthy_timestamp(env, rng).strftime(DATE),
            },
            entity_key=p.person_key,
            context=p,
        ))
    damage.inject_about_residents(recs, st.defects, env, rng)
    return recs


def _xingman_options(contract, date) -> dict:
    return {"title": f"宜春市刑满释放人员安置帮教信息表（{date:%Y年%m月%d日}导出）",
            "created": dt.datetime.combine(date, dt.time(7)), "creator": CREATOR}


FEEDS = (
    FeedSpec("sifa.xingman", _xingman, date_format=DATE, timestamp_format=DATE, sink_options=_xingman_options),
)
