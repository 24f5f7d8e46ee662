"""雪亮工程 video platform: the camera catalogue (XML, GB/T 28181 Catalog items) of the world's cameras.

Device ids are the world's valid GB/T 28181 ids except where ``bad_device_id`` is injected; the ON/OFF
status is the camera's last reported status, that of the day before the delivery (``world.camera_status``).
"""

from __future__ import annotations

from collections.abc import Iterator

from simulator import defects
from simulator.defects import Record
from simulator.feeds.registry import FeedSpec, FeedState, WorldContext
from simulator.feeds.world_damage import damage
from simulator.world.cameras import reported_day

DATE = "%Y-%m-%d"
MAKERS = (("Hikvision", "DS-2CD3T46WD"), ("Dahua", "DH-IPC-HFW4433"), ("Uniview", "IPC2124LR3"))
PTZ = {"132": "3", "131": "1", "136": "2"}
STATUS = {"在线": "ON", "离线": "OFF"}
WRONG_CLASS = ("四类", "1", "A类", "一級")


def bad_device_id(device_id: str, rng) -> str:
    """Ways a 20-digit GB/T 28181 id is mistyped or mis-assigned."""
    return rng.choice((
        device_id[:19],  # a digit lost
        "362201" + device_id[6:],  # another city's centre code
        device_id[:10] + "999" + device_id[13:],  # no such device type
        device_id[:13] + "9" + device_id[14:],  # no such network code
    ))


def shexiangtou_records(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    world, rng, env = wctx.world, st.rng, st.env
    # The catalogue's ON/OFF is the status last reported (the day before the delivery, as in 在线状态).
    status = {s["device_id"]: s["status"] for s in world.camera_status(reported_day(wctx.date))}
    recs = []
    for c in world.cameras():
        maker, model = MAKERS[int(c["device_id"][-1]) % len(MAKERS)]
        village = world.village_by_code.get(c["village_code"])
        recs.append(Record(values={
            "device_id": c["device_id"], "name": c["name"], "manufacturer": maker, "model": model,
            "owner": c["owner"], "civil_code": c["district_code"],
            "address": f"{village.name if village else ''}{c['name'].rsplit('监控点', 1)[0]}",
            "parent_id": c["device_id"][:10], "secrecy": "0",
            "ip_address": f"10.{int(c['district_code'][-2:])}.{rng.randrange(1, 255)}.{rng.randrange(2, 254)}",
            "status": STATUS.get(status.get(c["device_id"], ""), "OFF"),
            "lon": f"{c['lon']:.6f}", "lat": f"{c['lat']:.6f}", "ptz_type": PTZ.get(c["type_code"], "3"),
            "resource_class": c["resource_class"], "village_code": c["village_code"] or "",
            "grid_code": c["grid_code"] or "", "install_date": c["install_date"].strftime(DATE),
        }, entity_key=c["device_id"], context=c))

    def mutate(kind: str, column: str, rec: Record) -> str:
        if kind == "bad_device_id":
            return bad_device_id(rec.values[column], rng)
        if kind == "bad_division":
            return defects.bad_division(rng)
        if kind == "wrong_code":
            return rng.choice(WRONG_CLASS)
        if kind == "bad_date":
            return defects.bad_date(rec.context["install_date"], env, rng)
        if kind == "missing_required":
            return ""
        raise ValueError(f"defect {kind} does not apply to the camera catalogue")

    damage(recs, st.defects, rng, mutate)
    return iter(recs)


ONLINE = {"在线": "1", "离线": "2"}
WRONG_ONLINE = ("0", "ON", "在线", "true")


def zaixian_records(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    """One status report per camera and day (GA/T 1400 APEStatus), at the end of the day it describes."""
    rng = st.rng
    day = reported_day(wctx.date)
    at = f"{day:%Y%m%d}235500"
    recs = [Record(values={"device_id": s["device_id"], "is_online": ONLINE.get(s["status"], "2"),
                           "reported_at": at, "online_ratio": f"{s['online_ratio']:.4f}"},
                   entity_key=s["device_id"], context=s)
            for s in wctx.world.camera_status(day)]

    def mutate(kind: str, column: str, rec: Record) -> str:
        if kind == "bad_device_id":
            return bad_device_id(rec.values[column], rng)
        if kind == "wrong_code":
            return rng.choice(WRONG_ONLINE)
        raise ValueError(f"defect {kind} does not apply to camera status")

    damage(recs, st.defects, rng, mutate)
    return iter(recs)


def zhuapai_records(wctx: WorldContext, st: FeedState) -> Iterator[Record]:
    """Hourly capture counts per camera (faces, motor vehicles) for the delivery day."""
    rng = st.rng
    recs = [Record(values={"device_id": c["device_id"], "stat_hour": f"{c['hour_start']:%Y%m%d%H}",
                           "face_count": str(c["faces"]), "vehicle_count": str(c["motor_vehicles"]),
                           "person_count": ""},
                   entity_key=c["device_id"], context=c)
            for c in wctx.world.camera_captures(reported_day(wctx.date))]

    def mutate(kind: str, column: str, rec: Record) -> str:
        if kind == "bad_device_id":
            return bad_device_id(rec.values[column], rng)
        if kind == "bad_date":  # an hour past 23, a future year (each still names one hour: keys stay distinct)
            hour = rec.context["hour_start"]
            return rng.choice((f"{hour:%Y%m%d}{hour.hour + 24}", f"{hour.year + 1}{hour:%m%d%H}"))
        raise ValueError(f"defect {kind} does not apply to capture counts")

    damage(recs, st.defects, rng, mutate)
    return iter(recs)


FEEDS = (
    FeedSpec("xueliang.shexiangtou", world_records=shexiangtou_records, date_format=DATE,
             sink_options=lambda contract, date: {"root_tag": "DeviceList"}),
    FeedSpec("xueliang.zaixian", world_records=zaixian_records, timestamp_format="%Y%m%d%H%M%S"),
    FeedSpec("xueliang.zhuapai", world_records=zhuapai_records, timestamp_format="%Y%m%d%H"),
)
