"""网信办 网络舆情 (JSON lines, delta deliveries): the world's online-opinion events. The full load sends the
year before the as-of date as seen then; each delta day's file the events found or re-handled that day."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from simulator import defects
from simulator.defects import Record
from simulator.feeds.registry import FeedSpec, FeedState, WorldContext
from simulator.feeds.world_damage import damage
from simulator.world import events as world_events

TS = "%Y-%m-%dT%H:%M:%S"
PLATFORMS = {"抖音": "抖音", "微博": "微博", "微信": "微信", "新闻网站": "新闻网站", "论坛": "论坛", "快手": "快手",
             "今日头条": "今日头条", "百度贴吧": "百度贴吧"}
WRONG_PLATFORM = ("douyin", "新浪微博", "公众号", "网站")
HOSTS = {"抖音": "www.douyin.com/video", "微博": "weibo.com/detail", "微信": "mp.weixin.qq.com/s",
         "新闻网站": "www.ycnews.cn/news", "论坛": "bbs.ycnews.cn/thread"}
TOPICS = {"民生诉求": "民生", "社会治安": "治安", "突发事件": "突发", "干部作风": "作风", "其他": "其他"}


def _ts(value: dt.datetime | None) -> str:
    return "" if value is None else value.strftime(TS)


def yuqing_records(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    world, rng = wctx.world, st.rng
    if wctx.day == 0:
        events = world.event_history(365, kinds=("opinion",))
        seen_at = dt.datetime.combine(wctx.as_of, dt.time())
    else:
        events = world_events.updates_on(world, wctx.date, ("opinion",))
        seen_at = dt.datetime.combine(wctx.date + dt.timedelta(days=1), dt.time())
    recs = []
    for e in events:
        er = random.Random(f"{world.seed}/yuqing/{e['event_id']}")  # stable per event across versions
        found = e["reported_at"]
        published = found - dt.timedelta(minutes=er.randint(10, 600))
        closed = e["closed_at"] if e["closed_at"] is not None and e["closed_at"] < seen_at else None
        dispatched = e["dispatched_at"] if e["dispatched_at"] is not None and e["dispatched_at"] < seen_at else None
        status = "已处置" if closed else ("处置中" if dispatched else "待研判")
        platform = PLATFORMS.get(e["channel"], "其他")
        updated = max(t for t in (found, dispatched, closed) if t is not None)
        recs.append(Record(values={
            "event_id": e["event_id"], "title": f"网传{e['address'][6:12] if e['address'] else '宜春'}{e['category']}相关信息",
            "platform": platform, "url": f"https://{HOSTS.get(platform, 'www.example.cn/p')}/{er.randrange(10**9, 10**10)}",
            "published_at": _ts(published), "found_at": _ts(found),
            "sentiment": er.choices(("负面", "中性", "正面"), weights=(55, 35, 10))[0],
            "level": er.choices(("一般", "较大", "重大"), weights=(85, 13, 2))[0],
            "topic": TOPICS.get(e["category"], "其他"), "division_code": e["district_code"],
            "author": f"网友{er.randrange(10**6, 10**7)}", "status": status, "handled_at": _ts(closed),
            "updated_at": _ts(updated),
        }, entity_key=e["event_id"], context=e))

    def mutate(kind: str, column: str, rec: Record) -> str:
        if kind == "bad_date":
            return defects.bad_date(rec.context["reported_at"].date(), st.env, rng)
        if kind == "wrong_code":
            return rng.choice(WRONG_PLATFORM)
        if kind == "bad_division":
            return defects.bad_division(rng)
        if kind == "missing_required":
            return ""
        raise ValueError(f"defect {kind} does not apply to 网络舆情")

    damage(recs, st.defects, rng, mutate)
    return iter(recs)


FEEDS = (
    FeedSpec("wangxin.yuqing", world_records=yuqing_records, date_format="%Y-%m-%d", timestamp_format=TS,
             delivery_mode="delta"),
)
