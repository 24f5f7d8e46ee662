"""统计局: 统计用区划和城乡划分代码 — the 12-digit division reference table (county, township, village rows)
of the world's divisions, UTF-8 CSV, the full table every delivery."""

from __future__ import annotations

from collections.abc import Iterator

from simulator.defects import Record
from simulator.feeds.registry import FeedSpec, FeedState, WorldContext
from simulator.feeds.world_damage import bad_stats_code, damage
from simulator.world.divisions import division_rows

LEVELS = {"county": "3", "township": "4", "village": "5"}
WRONG_URBAN_RURAL = ("100", "113", "130", "200", "230", "城镇")


def quhua_records(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    year = f"{wctx.as_of:%Y}"
    recs = [Record(values={"code": r["code"], "name": r["name"], "level": LEVELS[r["level"]],
                           "parent_code": r["parent_code"] or "", "urban_rural_code": r["urban_rural_code"] or "",
                           "year": year},
                   entity_key=r["code"], context=r)
            for r in division_rows(wctx.world.townships) if r["level"] in LEVELS]
    rng = st.rng

    def mutate(kind: str, column: str, rec: Record) -> str:
        if kind == "bad_stats_code":
            return bad_stats_code(rec.values[column], rng)
        if kind == "wrong_code":
            return rng.choice(WRONG_URBAN_RURAL)
        if kind == "missing_required":
            return ""
        raise ValueError(f"defect {kind} does not apply to 统计用区划代码")

    # Only village rows carry a 城乡分类代码 to get wrong.
    damage(recs, st.defects, rng, mutate,
           lambda kind, column, rec: kind != "wrong_code" or bool(rec.values["urban_rural_code"]))
    return iter(recs)


FEEDS = (
    FeedSpec("tongji.quhua", world_records=quhua_records, date_format="%Y"),
)
