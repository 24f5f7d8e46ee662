"""雪亮工程 cameras and the 二类/三类 video resources integrated with them, with GB/T 28181 device ids.

Device id, 20 digits: ``36 09 <county 2> <unit 2>`` (centre code: province, city, county, the township's
police unit = its position in the district, 01–99) + industry (2) + type (3) + network (1) + serial (6).
- industry: 00 社会治安路面接入, 01 社会治安社区接入, 04 交通路面接入, 05 交通卡口接入, 08 城市管理接入,
  11 教育部门接入, 50 住宿和餐饮业接入, 52 房地产业接入 (GB/T 28181-2016 Annex D);
- type: 131 camera, 132 IP camera (IPC);
- network: 5 公安信息网 (一类), 6 政务网 (二类), 8 社会资源接入网 (三类);
- serial: village position in its township × 1000 + camera position in the village, unique per centre code.

Placement follows the plan's rule ("行政村至少5个监控点、自然村主要路口2个监控点"): each 行政村 gets 5–8 一类
points and each 自然村 2 at its main crossings, except ``village_short_of_cameras`` of the 行政村 (1–4
points) and ``natural_village_short_of_cameras`` of the 自然村 (0–1). 社区 get 3–6 一类 points per grid.
Every grid also has 二类 (traffic, 城管, school) and 三类 (shops, compounds) resources. About 11 cameras
per 1,000 persons: ~55,000 for 5M.

Cameras, their daily status and hourly capture counts are generated lazily, village by village and day
by day, from the seed: nothing is held per camera.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import TYPE_CHECKING

from simulator.world.divisions import VILLAGE, point_near

if TYPE_CHECKING:
    from simulator.world import World
    from simulator.world.divisions import Village

INDUSTRY = {"00": "社会治安路面接入", "01": "社会治安社区接入", "04": "交通路面接入", "05": "交通卡口接入",
            "08": "城市管理接入", "11": "教育部门接入", "50": "住宿和餐饮业接入", "52": "房地产业接入"}
DEVICE_TYPES = {"131": "摄像机", "132": "网络摄像机(IPC)"}
NETWORKS = {"5": "公安信息网", "6": "政务网", "8": "社会资源接入网"}
_CLASS_NETWORK = {"一类": "5", "二类": "6", "三类": "8"}
_SECOND = (("04", "交通运输局", "vehicle"), ("05", "公安交警", "vehicle"), ("08", "城市管理局", None),
           ("11", "教育体育局", "face"))
_THIRD = (("50", "商户", None), ("52", "物业公司", "face"), ("01", "小区物业", None))
_HOUR_PROFILE = (1, 1, 1, 1, 1, 2, 4, 8, 10, 8, 7, 7, 8, 7, 7, 7, 8, 10, 10, 8, 6, 4, 2, 1)  # relative traffic


def device_id(district_code: str, unit: int, industry: str, type_code: str, network: str, serial: int) -> str:
    if not 1 <= unit <= 99 or not 0 <= serial < 10**6:
        raise ValueError(f"unit {unit} / serial {serial} out of range for a GB/T 28181 id")
    return f"{district_code}{unit:02d}{industry}{type_code}{network}{serial:06d}"


def village_cameras(world: "World", village: "Village") -> Iterator[dict]:
    """The cameras placed in one 村/社区 and its grids."""
    cfg = world.config
    rng = random.Random(f"{world.seed}/world/cameras/{village.code}")
    township = world.township_by_code[village.township_code]
    unit = world.township_unit[township.code]
    base = (township.villages.index(village) + 1) * 1000
    if base >= 10**6:
        raise ValueError(f"{township.name} has too many villages for 6-digit camera serials")
    k = 0

    def cam(resource_class: str, industry: str, owner: str, lat: float, lon: float, grid_code: str,
            natural_village_code: str | None, is_plan_point: bool, capability: str | None, label: str) -> dict:
        nonlocal k
        k += 1
        type_code = "132" if rng.random() < 0.85 else "131"
        did = device_id(village.district_code, unit, industry, type_code, _CLASS_NETWORK[resource_class], base + k)
        return {"device_id": did, "name": f"{village.name}{label}{k:03d}", "resource_class": resource_class,
                "industry_code": industry, "type_code": type_code, "network_code": _CLASS_NETWORK[resource_class],
                "owner": owner, "capability": capability, "district_code": village.district_code,
                "township_code": township.code + "000", "village_code": village.code,
                "natural_village_code": natural_village_code, "grid_code": grid_code, "lat": lat, "lon": lon,
                "install_date": world.as_of - dt.timedelta(days=rng.randint(60, 8 * 365)),
                "is_plan_point": is_plan_point}

    grids = [world.grid_by_code[g] for g in village.grid_codes]
    if village.kind == VILLAGE:
        n = rng.randint(5, 8) if rng.random() >= cfg.village_short_of_cameras else rng.randint(1, 4)
        for _ in range(n):
            lat, lon = point_near(rng, village.district_code, village.lat, village.lon, 0.006)
            yield cam("一类", "00", "公安局", lat, lon, grids[0].grid_code, None, True,
                      "face" if rng.random() < 0.3 else None, "村委会监控点")
        for nv in village.natural_villages:
            n = 2 if rng.random() >= cfg.natural_village_short_of_cameras else rng.randint(0, 1)
            for _ in range(n):
                lat, lon = point_near(rng, village.district_code, nv.lat, nv.lon, 0.002)
                yield cam("一类", "00", "公安局", lat, lon, grids[rng.randrange(len(grids))].grid_code, nv.code, True,
                          None, nv.name + "路口")
    for g in grids:
        if village.kind != VILLAGE:
            for _ in range(rng.randint(3, 6)):
                lat, lon = point_near(rng, village.district_code, g.lat, g.lon, 0.003)
                yield cam("一类", rng.choice(("00", "01")), "公安局", lat, lon, g.grid_code, None, True,
                          rng.choice(("face", "vehicle", None)), "社区监控点")
        for _ in range(rng.randint(1, 3)):
            industry, owner, capability = rng.choice(_SECOND)
            lat, lon = point_near(rng, village.district_code, g.lat, g.lon, 0.004)
            yield cam("二类", industry, owner, lat, lon, g.grid_code, None, False, capability, "行业监控")
        for _ in range(rng.randint(1, 4) if village.kind == VILLAGE else rng.randint(2, 5)):
            industry, owner, capability = rng.choice(_THIRD)
            lat, lon = point_near(rng, village.district_code, g.lat, g.lon, 0.003)
            yield cam("三类", industry, owner, lat, lon, g.grid_code, None, False, capability, "社会监控")


def cameras(world: "World") -> Iterator[dict]:
    for t in world.townships:
        for v in t.villages:
            yield from village_cameras(world, v)


def reported_day(delivery_date: dt.date) -> dt.date:
    """The day a delivery's end-of-day camera reports describe: the day before it. Status and captures are
    closed at 23:55, so the platform's export on the morning of ``delivery_date`` (when the 04:00 pipeline
    runs) carries the previous day, the day that run checks."""
    return delivery_date - dt.timedelta(days=1)


def daily_status(world: "World", day: dt.date) -> Iterator[dict]:
    """One row per installed camera for ``day``: online or not, and the share of the day it was online.
    ~2% of cameras are chronically offline (the same ones every day: their fault is drawn per camera)."""
    rate = world.config.camera_offline_per_day
    for cam in cameras(world):
        if cam["install_date"] > day:
            continue
        broken = random.Random(f"{world.seed}/world/camera-faults/{cam['device_id']}").random() < 0.02
        rng = random.Random(f"{world.seed}/world/camera-status/{day.isoformat()}/{cam['device_id']}")
        offline = broken or rng.random() < rate
        yield {"device_id": cam["device_id"], "date": day, "status": "离线" if offline else "在线",
               "online_ratio": 0.0 if broken else round(rng.uniform(0.0, 0.6), 3) if offline else 1.0}


def hourly_captures(world: "World", day: dt.date) -> Iterator[dict]:
    """GA/T 1400 capture counts per capturing camera and hour of ``day`` (faces, motor vehicles); zero while offline."""
    status = {s["device_id"]: s for s in daily_status(world, day)}
    for cam in cameras(world):
        s = status.get(cam["device_id"])
        if s is None or cam["capability"] is None:
            continue
        rng = random.Random(f"{world.seed}/world/captures/{day.isoformat()}/{cam['device_id']}")
        scale = (1.0 if cam["village_code"][9] in "01" else 0.3) * rng.uniform(0.5, 1.5)
        online_hours = round(24 * s["online_ratio"])
        for hour in range(24):
            up = hour < online_hours
            faces = int(rng.gauss(_HOUR_PROFILE[hour] * 12 * scale, 3)) if up and cam["capability"] == "face" else 0
            vehicles = int(rng.gauss(_HOUR_PROFILE[hour] * 25 * scale, 5)) if up and cam["capability"] == "vehicle" else 0
            yield {"device_id": cam["device_id"], "hour_start": dt.datetime.combine(day, dt.time(hour)),
                   "faces": max(0, faces), "motor_vehicles": max(0, vehicles)}
