"""The source catalogue (../shared/domain/README.md) is covered by contracts, and every contract is complete."""

import re
from pathlib import Path

import pytest

from ingest.contracts import load_contracts

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT.parent / "shared" / "domain" / "README.md"

# The 28 departments and the video platform, in the catalogue's order.
DEPARTMENTS = (
    "gongan", "wangxin", "sifa", "minzheng", "renshe", "weijian", "jiaoti", "zhujian", "ziranziyuan", "shichang",
    "xinfang", "chengguan", "yingji", "shuju", "fayuan", "jianchayuan", "tuiyi", "canlian", "yibao", "shuiwu",
    "jiaotong", "shengtai", "xiaofang", "tongji", "tuanwei", "fulian", "zhengfawei", "nongye", "xueliang",
)
BASIC_DATASETS = {"实有人口", "流动人口", "实有房屋"}
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Staging adds these beside the contract's columns (docs/architecture.md §3); a column may not shadow them.
STAGING_NAMES = {"record_id", "source_file", "source_row_number", "load_id", "loaded_at", "load_date", "address_key"}


@pytest.fixture(scope="module")
def contracts():
    return load_contracts(ROOT / "contracts", include_inactive=True)


def test_department_list_matches_the_catalogue():
    if not CATALOGUE.exists():
        pytest.skip(f"{CATALOGUE} is not beside this checkout")
    rows = re.findall(r"^\| (?:\d+|V) \| (\w+) \|", CATALOGUE.read_text(encoding="utf-8"), re.M)
    assert tuple(rows) == DEPARTMENTS


def test_every_department_has_a_contract(contracts):
    assert len(DEPARTMENTS) == 29
    covered = {c.dept for c in contracts}
    assert sorted(set(DEPARTMENTS) - covered) == []
    assert sorted(covered - set(DEPARTMENTS)) == []


def test_contract_ids_match_their_paths(contracts):
    for c in contracts:
        assert c.path is not None and f"{c.path.parent.name}.{c.path.stem}" == c.id


def test_onboarding_example_is_not_a_contract_file():
    # docs/onboarding.md's canlian.disabled is injected by tests/docs; the real 残联 feed is canlian.canji.
    assert not (ROOT / "contracts/canlian/disabled.yaml").exists()


def test_api_and_db_contracts_name_their_connection(contracts):
    for c in contracts:
        d = c.delivery
        if d.kind == "api":
            assert d.connection and d.api_path and d.api_path.startswith("/"), c.id
        elif d.kind == "db":
            assert d.connection and d.table and d.watermark_field, c.id
        else:
            assert d.kind == "file" and d.path and d.path.startswith(f"{c.dept}/{c.feed}/"), c.id


def test_basic_data_contracts_have_a_target_and_a_strong_gate(contracts):
    basic = [c for c in contracts if c.basic_dataset]
    assert {c.basic_dataset for c in basic} == BASIC_DATASETS
    for c in basic:
        assert c.basic_dataset in BASIC_DATASETS and c.validity_target == 0.9 and c.gate == "strong", c.id
    for c in contracts:
        if not c.basic_dataset:
            assert c.gate == "weak" and c.validity_target is None, c.id


def test_labels_grades_grain_and_schedule(contracts):
    for c in contracts:
        assert c.grain.startswith("One row per"), c.id
        assert c.schedule and len(c.schedule.split()) == 5 and c.timezone == "Asia/Shanghai", c.id
        assert c.reverify_days and c.reverify_days > 0, c.id
        assert c.primary_key, c.id
        for col in c.columns:
            assert col.name not in STAGING_NAMES and not col.name.startswith(("std_", "_")), f"{c.id}.{col.name}"
            assert _CJK.search(col.label), f"{c.id}.{col.name}: businessName {col.label!r} is not Chinese"
            assert col.grade in ("核心", "重要", "一般"), f"{c.id}.{col.name}"
            if col.pii:
                assert col.pii in ("id_number", "name", "phone", "address"), f"{c.id}.{col.name}"
                assert col.grade in ("核心", "重要"), f"{c.id}.{col.name}: PII graded {col.grade}"
            if col.logical_type in ("date", "timestamp"):
                assert col.formats, f"{c.id}.{col.name}: a date column declares the formats it is sent in"


def test_drafts_stay_out_of_the_pipeline(contracts):
    active = {c.id for c in load_contracts(ROOT / "contracts")}
    assert active == {c.id for c in contracts if c.status == "active"}
    assert all(c.status in ("draft", "active") for c in contracts)


def _delivery(c, rows: list[dict[str, str]]) -> bytes:
    """A small delivery in the contract's own form and column names."""
    import csv
    import io
    import json

    d = c.delivery
    names = [col.source for col in c.columns]
    if d.format == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=d.delimiter, lineterminator="\r\n")
        w.writerow(names)
        w.writerows([[r.get(n, "") for n in names] for r in rows])
        enc = {"utf-8-sig": "utf-8-sig"}.get(d.encoding or "utf-8", d.encoding or "utf-8")
        return buf.getvalue().encode(enc)
    if d.format == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
    if d.format == "json":
        doc: object = rows
        for part in reversed((d.records_path or "").split(".") if d.records_path else []):
            doc = {part: doc}
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")
    if d.format == "xml":
        from xml.sax.saxutils import escape

        items = "".join(
            f"<{d.record_tag}>" + "".join(f"<{n}>{escape(v)}</{n}>" for n, v in r.items()) + f"</{d.record_tag}>"
            for r in rows
        )
        return f'<?xml version="1.0" encoding="UTF-8"?><Response><DeviceList>{items}</DeviceList></Response>'.encode()
    if d.format == "xlsx":
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "2026年11月" if d.sheet == "*" else d.sheet
        first = d.header_row - d.header_depth + 1
        for r in range(1, first):
            ws.cell(r, 1, "标题：" + c.title)
        for j, name in enumerate(names, start=1):
            parts = name.split("/")
            if d.header_depth == 1 or len(parts) == 1:
                ws.cell(first, j, name)
                if d.header_depth > 1:
                    ws.merge_cells(start_row=first, start_column=j, end_row=d.header_row, end_column=j)
            else:
                ws.cell(first, j, parts[0])
                ws.cell(d.header_row, j, parts[1])
        # Group cells merged over their columns, as departments lay them out.
        if d.header_depth > 1:
            j = 1
            while j <= len(names):
                group = names[j - 1].split("/")[0] if "/" in names[j - 1] else None
                k = j
                while group and k < len(names) and names[k].startswith(group + "/"):
                    k += 1
                if group and k > j:
                    for col in range(j + 1, k + 1):
                        ws.cell(first, col).value = None
                    ws.merge_cells(start_row=first, start_column=j, end_row=first, end_column=k)
                j = k + 1
        for i, r in enumerate(rows, start=d.header_row + 1):
            for j, name in enumerate(names, start=1):
                ws.cell(i, j, r.get(name))
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
    if d.format == "xls" and d.header_depth == 1:
        import xlwt

        wb = xlwt.Workbook(encoding="utf-8")
        ws = wb.add_sheet(d.sheet if d.sheet and d.sheet != "*" else "Sheet1")
        for r in range(d.header_row - 1):
            ws.write(r, 0, "标题：" + c.title)
        for j, name in enumerate(names):
            ws.write(d.header_row - 1, j, name)
        for i, r in enumerate(rows, start=d.header_row):
            for j, name in enumerate(names):
                ws.write(i, j, r.get(name))
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
    raise AssertionError(f"no test delivery for {d.format}")


@pytest.mark.parametrize(
    "contract",
    [c for c in load_contracts(ROOT / "contracts", include_inactive=True)
     if c.delivery.kind == "file" and c.delivery.format in ("csv", "json", "jsonl", "xml", "xlsx", "xls")],
    ids=lambda c: c.id,
)
def test_a_delivery_in_the_contracts_own_form_lands_whole(contract, tmp_path):
    import pyarrow.dataset as ds

    from ingest.load import ingest_files

    rows = [{col.source: f"{col.name}-{i}" for col in contract.columns} for i in (1, 2)]
    drop = tmp_path / "landing" / contract.dept / contract.feed
    drop.mkdir(parents=True)
    suffix = {"jsonl": "jsonl"}.get(contract.delivery.format, contract.delivery.format)
    (drop / f"{contract.feed}_20261120.{suffix}").write_bytes(_delivery(contract, rows))
    (r,) = ingest_files(contract, tmp_path / "landing", tmp_path / "lake")
    assert (r.rows_read, r.rows_written, r.rows_quarantined) == (2, 2, 0), r
    t = ds.dataset(tmp_path / f"lake/raw/{contract.dept}/{contract.feed}", format="parquet", partitioning="hive").to_table()
    for col in contract.columns:
        assert t.column(col.name).to_pylist() == [f"{col.name}-1", f"{col.name}-2"], col.name
    assert t.column("_extra").to_pylist() == [None, None]


def _nest(dotted: str, value, doc: dict) -> dict:
    *parents, last = dotted.split(".")
    node = doc
    for p in parents:
        node = node.setdefault(p, {})
    node[last] = value
    return doc


@pytest.mark.parametrize(
    "contract", [c for c in load_contracts(ROOT / "contracts", include_inactive=True) if c.delivery.kind == "api"],
    ids=lambda c: c.id,
)
def test_an_api_contract_pulls_pages_shaped_as_it_says(contract, tmp_path):
    """A loopback server answers at the contract's path with records and total where the contract says."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs, urlsplit

    import pyarrow.dataset as ds

    from ingest.load import ingest_api

    d = contract.delivery
    wm = d.watermark_field
    records = [{col.source: f"{col.name}-{i}" for col in contract.columns} for i in range(1, 6)]
    for i, r in enumerate(records, start=1):
        r[wm] = f"2026-11-20 10:00:0{i}"

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            url = urlsplit(self.path)
            q = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path != d.api_path or self.headers.get("Authorization") != "Bearer t":
                self.send_response(404)
                self.end_headers()
                return
            page, size = int(q["page"]), int(q["page_size"])
            rows = [r for r in records if r[wm] >= q.get("since", "")]
            doc = _nest(d.records_field, rows[(page - 1) * size: page * size], {})
            if d.total_field:
                _nest(d.total_field, len(rows), doc)
            body = json.dumps(doc, ensure_ascii=False).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        (r,) = ingest_api(contract, tmp_path, f"http://127.0.0.1:{server.server_port}", "t", backoff_s=0.01)
    finally:
        server.shutdown()
    assert (r.rows_read, r.rows_written, r.rows_quarantined) == (5, 5, 0), r
    t = ds.dataset(tmp_path / f"raw/{contract.dept}/{contract.feed}", format="parquet", partitioning="hive").to_table()
    pk = contract.primary_key[0]
    assert sorted(t.column(pk).to_pylist()) == [f"{pk}-{i}" for i in range(1, 6)]


@pytest.mark.parametrize(
    "contract", [c for c in load_contracts(ROOT / "contracts", include_inactive=True) if c.delivery.kind == "db"],
    ids=lambda c: c.id,
)
def test_a_db_contract_pulls_its_table_from_postgres(contract, tmp_path):
    """The contract's columns, schema and watermark against the real PostgreSQL of the machine (table renamed
    per run so parallel runs do not meet)."""
    import dataclasses
    import os
    import uuid

    import pyarrow.dataset as ds
    import sqlalchemy as sa

    from ingest.load import ingest_db

    url = os.environ.get("CITYLAKE_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
    engine = sa.create_engine(url)
    try:
        engine.connect().close()
    except sa.exc.OperationalError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no PostgreSQL on 127.0.0.1:5432")
    d = contract.delivery
    table = f"{d.table}_{uuid.uuid4().hex[:8]}"
    meta = sa.MetaData()
    t = sa.Table(table, meta, *[sa.Column(c.source, sa.Text) for c in contract.columns], schema=d.db_schema)
    meta.create_all(engine)
    try:
        with engine.begin() as conn:
            conn.execute(t.insert(), [
                {c.source: (f"2026-11-20 10:00:0{i}" if c.source == d.watermark_field else f"{c.name}-{i}")
                 for c in contract.columns}
                for i in (1, 2, 3)
            ])
        renamed = dataclasses.replace(contract, delivery=dataclasses.replace(d, table=table))
        results = ingest_db(renamed, tmp_path, url)
    finally:
        meta.drop_all(engine)
        engine.dispose()
    assert sum(r.rows_written for r in results) == 3 and sum(r.rows_quarantined for r in results) == 0
    lake = ds.dataset(tmp_path / f"raw/{contract.dept}/{contract.feed}", format="parquet", partitioning="hive").to_table()
    pk = contract.primary_key[0]
    assert sorted(lake.column(pk).to_pylist()) == [f"{pk}-{i}" for i in (1, 2, 3)]
