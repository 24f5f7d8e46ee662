"""政务服务数据管理局: 12345 hotline work orders, the backing data of the department's REST API — the world's
"hotline" events.

The full load serves the year of orders before the as-of date as the hotline platform shows them at the
as-of date; each delta day serves the orders called in or moved on (派单 → 办结 → 回访) during the day
before it (``chengguan.seen_events``). An order keeps the world's event id as its 工单编号, its times and
the caller's evaluation, so the warehouse's 12345 satisfaction is the world's (专栏1). The platform's
lifecycle 已受理 → 已派单/办理中 → 已办结 → 已回访 is the world's 上报 → 派遣 → 办结 → 评价. The caller is an
adult of the grid the matter arose in (15% anonymous); the 诉求类别 and wording are drawn per order, so
every version of an order says the same. Field names are the department's pinyin abbreviations (gdbh,
ldsj, …), from the contract.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from pathlib import Path

from simulator import defects
from simulator.address import CITY, PROVINCE
from simulator.atomic import atomic_path
from simulator.defects import Record
from simulator.feeds.chengguan import chunked, seen_events, updated_at
from simulator.feeds.registry import FeedSpec, FeedState, WorldContext
from simulator.geography import DISTRICT_BY_CODE

TIMESTAMP = "%Y-%m-%d %H:%M:%S"
STORE = Path("api") / "shuju" / "workorders.jsonl"  # under the sim dir

# category → (weight, [(content template, handling unit template)])
_CASES: dict[str, tuple[float, tuple[tuple[str, str], ...]]] = {
    "咨询": (35, (("咨询社保卡补办需要哪些材料", "{d}人力资源和社会保障局"),
                ("咨询住房公积金提取政策", "宜春市住房公积金中心"),
                ("咨询户口迁入{d}的办理流程", "宜春市公安局{d}分局"),
                ("咨询新生儿医保参保办理时间", "{d}医疗保障局"))),
    "求助": (15, (("{p}停水两天，请求尽快恢复供水", "宜春市水务集团"),
                ("{p}停电，请求尽快抢修", "国网宜春供电公司"),
                ("{p}路灯不亮，夜间出行不便，请求维修", "{d}城市管理局"))),
    "投诉": (30, (("{p}夜间施工噪音扰民", "{d}城市管理局"),
                ("{p}物业乱收费", "{d}住房和城乡建设局"),
                ("{p}餐馆油烟污染严重", "宜春市生态环境局{d}分局"),
                ("{p}超市销售过期食品", "{d}市场监督管理局"))),
    "举报": (8, (("{p}有商户长期占道经营", "{d}城市管理局"),
               ("{p}附近有违章搭建", "{d}城市管理局"))),
    "建议": (10, (("建议在{p}增设公交站点", "宜春市交通运输局"),
                ("建议{p}增设电动自行车充电桩", "{d}住房和城乡建设局"))),
    "表扬": (2, (("表扬{d}政务服务中心工作人员服务热情", "{d}政务服务中心"),)),
}


def _when(t: dt.datetime | None) -> str:
    return "" if t is None else t.strftime(TIMESTAMP)


# The platform's status for the world's step as seen (``events.status``). A dispatched order is 已派单
# until the handling unit takes it up, then 办理中: drawn once per order, so its versions agree.
_STATUS = {"已上报": "已受理", "已办结": "已办结", "已评价": "已回访"}


def _place(address: str, district: str) -> str:
    """The place as a caller names it: the address without province and city, else the district."""
    return address.removeprefix(PROVINCE).removeprefix(CITY) if address else district


def order_values(e: dict, caller, er: random.Random) -> dict[str, str]:
    """One work order as the platform serves it, from the world event ``e`` as seen (``as_seen``).

    ``er`` is the order's own random stream (seeded by its event id): category, wording, anonymity and the
    已派单/办理中 split come out the same in every version of the order."""
    district = DISTRICT_BY_CODE[e["district_code"]].name
    categories = list(_CASES)
    category = er.choices(categories, weights=[_CASES[c][0] for c in categories])[0]
    template, unit = er.choice(_CASES[category][1])
    address = e["address"] or caller.address
    anonymous = er.random() < 0.15
    hide_phone = anonymous and er.random() < 0.5
    taken_up = er.random() < 0.7
    status = _STATUS.get(e["status"]) or ("办理中" if taken_up else "已派单")
    return {
        "work_order_id": e["event_id"],
        "called_at": _when(e["reported_at"]),
        "caller_name": "" if anonymous else caller.name,
        "caller_phone": "" if hide_phone else caller.phone,
        "category": category,
        "content": template.format(d=district, p=_place(address, district)),
        "address": address if category == "求助" else f"{PROVINCE}{CITY}{district}",
        "division_code": e["district_code"],
        "handling_unit": "" if status == "已受理" else unit.format(d=district),
        "dispatched_at": _when(e["dispatched_at"]) if status != "已受理" else "",
        "closed_at": _when(e["closed_at"]),
        "status": status,
        "satisfaction": (e["satisfaction"] or "") if status == "已回访" else "",
        "updated_at": _when(updated_at(e)),
    }


def hotline_records(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    world = wctx.world
    events, _seen_at = seen_events(wctx, "hotline")
    for batch in chunked(events):
        recs = []
        for e in batch:
            er = random.Random(f"{world.seed}/shuju/{e['event_id']}")
            info = world.grid_by_code[e["grid_code"]]
            callers = [p for p in info.adults if p.phone] or [p for p in world.outsiders if p.phone]
            caller = er.choice(callers)
            recs.append(Record(values=order_values(e, caller, er), entity_key=e["event_id"], context=caller))
        inject(recs, st.defects, st.rng)
        yield from recs


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

FEEDS = (
    FeedSpec("shuju.hotline", world_records=hotline_records, timestamp_format=TIMESTAMP, required=True),
)
