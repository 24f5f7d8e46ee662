"""政务服务数据管理局: 12345 hotline work orders, the backing data of the department's REST API.

About 0.1 orders per resident per year, called during the 365 days before the as-of date. Lifecycle
已受理 → 已派单 → 办理中 → 已办结 → 已回访, with 来电 ≤ 派单 ≤ 办结 ≤ 回访; ~98% of orders close, the
rest are stuck at an earlier stage; an order whose next step would fall after the as-of date stops there.
Field names are the department's pinyin abbreviations (gdbh, ldsj, …), from the contract.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

from simulator import defects
from simulator.address import CITY, PROVINCE, standard_address
from simulator.atomic import atomic_path
from simulator.defects import Record
from simulator.feeds.registry import FeedSpec
from simulator.people import Person

TIMESTAMP = "%Y-%m-%d %H:%M:%S"
ORDERS_PER_PERSON_YEAR = 0.1
STORE = Path("api") / "shuju" / "workorders.jsonl"  # under the sim dir

# category → (weight, [(content template, handling unit template)])
_CASES: dict[str, tuple[float, tuple[tuple[str, str], ...]]] = {
    "咨询": (35, (("咨询社保卡补办需要哪些材料", "{d}人力资源和社会保障局"),
                ("咨询住房公积金提取政策", "宜春市住房公积金中心"),
                ("咨询户口迁入{d}的办理流程", "宜春市公安局{d}分局"),
                ("咨询新生儿医保参保办理时间", "{d}医疗保障局"))),
    "求助": (15, (("{c}停水两天，请求尽快恢复供水", "宜春市水务集团"),
                ("{c}停电，请求尽快抢修", "国网宜春供电公司"),
                ("{s}路灯不亮，夜间出行不便，请求维修", "{d}城市管理局"))),
    "投诉": (30, (("{s}夜间施工噪音扰民", "{d}城市管理局"),
                ("{c}物业乱收费", "{d}住房和城乡建设局"),
                ("{s}餐馆油烟污染严重", "宜春市生态环境局{d}分局"),
                ("{s}超市销售过期食品", "{d}市场监督管理局"))),
    "举报": (8, (("{s}有商户长期占道经营", "{d}城市管理局"),
               ("{c}附近有违章搭建", "{d}城市管理局"))),
    "建议": (10, (("建议在{s}增设公交站点", "宜春市交通运输局"),
                ("建议{c}增设电动自行车充电桩", "{d}住房和城乡建设局"))),
    "表扬": (2, (("表扬{d}政务服务中心工作人员服务热情", "{d}政务服务中心"),)),
}
_SATISFACTION = (("满意", 0.97), ("基本满意", 0.02), ("不满意", 0.01))


def _when(t: dt.datetime | None) -> str:
    return "" if t is None else t.strftime(TIMESTAMP)


def work_orders(persons: list[Person], as_of: dt.date, next_seq, rng: random.Random,
                observed: dt.date | None = None) -> list[Record]:
    """Orders called in by (or about the places of) one grid's persons; ``next_seq()`` numbers them.

    Calls fall in the 365 days before ``as_of``; each order's lifecycle is cut at ``observed`` (default
    ``as_of``): a later ``observed`` day shows the same orders further along. The RNG draws do not depend
    on ``observed``, so every day's run yields the same orders, only in later states.
    """
    start = dt.datetime.combine(as_of, dt.time())
    now = dt.datetime.combine(observed or as_of, dt.time())
    callers = [p for p in persons if p.phone]
    out: list[Record] = []
    categories = list(_CASES)
    weights = [_CASES[c][0] for c in categories]
    for p in persons:
        if rng.random() >= ORDERS_PER_PERSON_YEAR or not callers:
            continue
        caller = p if p.phone else rng.choice(callers)
        h = caller.house
        category = rng.choices(categories, weights=weights)[0]
        template, unit = rng.choice(_CASES[category][1])
        content = template.format(d=h.district_name, c=h.compound, s=h.street)
        called = start - dt.timedelta(seconds=rng.randrange(1, 365 * 86400))
        dispatched = called + dt.timedelta(seconds=rng.randrange(600, 4 * 3600))
        closed = dispatched + dt.timedelta(seconds=int(rng.expovariate(1 / (2 * 86400))) + 3600)
        visited = closed + dt.timedelta(seconds=rng.randrange(3600, 48 * 3600))
        stuck_at = None if rng.random() < 0.98 else rng.choice(("已受理", "已派单", "办理中"))
        revisit, satisfaction = rng.random(), _pick(rng)
        handling_gap = rng.randrange(600, 86400)
        if stuck_at == "已受理" or dispatched >= now:
            status, events = "已受理", (called, None, None)
        elif stuck_at == "已派单":
            status, events = "已派单", (called, dispatched, None)
        elif stuck_at == "办理中" or closed >= now:
            status, events = "办理中", (called, dispatched, None)
        elif revisit < 0.85 and visited < now:
            status, events = "已回访", (called, dispatched, closed)
        else:
            status, events = "已办结", (called, dispatched, closed)
        last = visited if status == "已回访" else max(t for t in events if t is not None)
        if status == "办理中":
            last = min(now - dt.timedelta(seconds=1), dispatched + dt.timedelta(seconds=handling_gap))
        anonymous = rng.random() < 0.15
        order_id = f"YC{called:%Y%m%d}{next_seq():07d}"
        values = {
            "work_order_id": order_id,
            "called_at": _when(events[0]),
            "caller_name": "" if anonymous else caller.name,
            "caller_phone": "" if anonymous and rng.random() < 0.5 else caller.phone,
            "category": category,
            "content": content,
            "address": standard_address(h) if category == "求助" else f"{PROVINCE}{CITY}{h.district_name}{h.street}",
            "division_code": h.division_code,
            "handling_unit": "" if status == "已受理" else unit.format(d=h.district_name),
            "dispatched_at": _when(events[1]),
            "closed_at": _when(events[2]),
            "status": status,
            "satisfaction": satisfaction if status == "已回访" else "",
            "updated_at": _when(last),
        }
        out.append(Record(values=values, entity_key=order_id, context=caller))
    return out


def _pick(rng: random.Random) -> str:
    return rng.choices([v for v, _ in _SATISFACTION], weights=[w for _, w in _SATISFACTION])[0]


def inject(records: list[Record], feed: defects.FeedDefects, rng: random.Random) -> None:
    defects.plan(records, feed, rng, lambda kind, column, rec: bool(rec.values.get(column)))
    for rec in records:
        for kind, column in rec.planned:
            if kind != "bad_phone":
                raise ValueError(f"defect {kind} does not apply to work orders")
            rec.values[column] = defects.bad_phone(rng)
            rec.defects.append(kind)
            rec.broken.add(defects.rule_id(kind, column))


def write_store(sim_dir: Path, rows: list[dict[str, str]]) -> Path:
    """The API's backing data: one JSON object per line, in the API's order (gxsj, gdbh)."""
    path = sim_dir / STORE
    rows.sort(key=lambda r: (r["gxsj"], r["gdbh"]))
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
    return path


# ---- feed registry ----------------------------------------------------------------------------------

def _hotline(ctx, st) -> list[Record]:
    seq = st.counters.setdefault("order", iter(range(1, 10**9)))
    recs = work_orders(ctx.people, ctx.as_of, lambda: next(seq), st.rng, observed=ctx.date)
    inject(recs, st.defects, st.rng)
    return recs


def _updated_yesterday(rec: Record, ctx) -> bool:
    """An API delta day publishes the versions of orders that moved on during the previous day."""
    since = (dt.datetime.combine(ctx.date, dt.time()) - dt.timedelta(days=1)).strftime(TIMESTAMP)
    return rec.values["updated_at"] >= since


FEEDS = (
    FeedSpec("shuju.hotline", _hotline, timestamp_format=TIMESTAMP, changed=_updated_yesterday, required=True),
)
