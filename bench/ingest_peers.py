"""CityLake's ingestion of one 户籍 file against its two peers, on the same file, interleaved:

- ``citylake``: ``citylake ingest --feed gongan.hukou`` on a landing folder holding only that file;
- ``iconv+duckdb``: iconv GB18030→UTF-8 piped into DuckDB ``read_csv(all_varchar)`` → zstd Parquet (the engine limit);
- ``pandas``: ``read_csv(encoding='gb18030', dtype=str)`` → ``to_parquet`` (what a user would write).

    python -m bench.ingest_peers --file data/landing/gongan/hukou/hukou_20261121.csv [--rounds 3] [--replicate 5]

``--replicate N`` also runs them on a file holding the data lines N times (the header once): how the 1M city's
file stands in for the 5M city's. Each run is its own process (peak RSS from the kernel, ``os.wait4``); the
median time of the rounds is reported, the largest peak. Targets (issue 13): CityLake ≥ 0.6× the engine
limit's throughput, ≥ 3× pandas', peak ≤ 1 GB whatever the file size.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import sys
from pathlib import Path

from bench.run import run_stage
from ingest.accounting import scan_file

TOOLS = ("citylake", "iconv+duckdb", "pandas")
DUCKDB = ("import duckdb, sys; duckdb.sql(\"copy (select * from read_csv('/dev/stdin', all_varchar=true, header=true)) "
          "to '\" + sys.argv[1] + \"' (format parquet, compression zstd)\")")
PANDAS = ("import pandas as pd, sys; pd.read_csv(sys.argv[1], encoding='gb18030', dtype=str)"
          ".to_parquet(sys.argv[2])")


def replicate(src: Path, dst: Path, times: int) -> Path:
    """``src``'s header, then its data lines ``times`` over, streamed (never whole in memory)."""
    with src.open("rb") as f:
        header = f.readline()
    with dst.open("wb") as out:
        out.write(header)
        for _ in range(times):
            with src.open("rb") as f:
                f.readline()
                shutil.copyfileobj(f, out, 16 << 20)
    return dst


def _argv(tool: str, file: Path, work: Path) -> tuple[list[str], dict[str, str]]:
    py = sys.executable
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false"}
    if tool == "citylake":
        data = work / "citylake"
        shutil.rmtree(data, ignore_errors=True)
        landing = data / "landing/gongan/hukou"
        landing.mkdir(parents=True)
        os.symlink(file.resolve(), landing / file.name)
        env |= {"CITYLAKE_DATA_DIR": str(data), "CITYLAKE_LAKE_URL": str(data / "lake")}
        return [str(Path(py).parent / "citylake"), "ingest", "--feed", "gongan.hukou"], env
    if tool == "iconv+duckdb":
        pipe = (f"iconv -f GB18030 -t UTF-8 {shlex.quote(str(file))} | "
                f"{shlex.quote(py)} -c {shlex.quote(DUCKDB)} {shlex.quote(str(work / 'duckdb.parquet'))}")
        return ["/bin/sh", "-c", "set -e; " + pipe], env
    return [py, "-c", PANDAS, str(file), str(work / "pandas.parquet")], env


def rows_out(tool: str, work: Path) -> int:
    """Rows the tool wrote: a comparison is only fair between tools that all kept every record."""
    import pyarrow.parquet as pq

    if tool == "citylake":
        files = [*(work / "citylake/lake/raw").rglob("*.parquet"), *(work / "citylake/lake/quarantine").rglob("*.parquet")]
    else:
        files = [work / ("duckdb.parquet" if tool == "iconv+duckdb" else "pandas.parquet")]
    return sum(pq.ParquetFile(f).metadata.num_rows for f in files)


def compare(file: Path, work: Path, rounds: int) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    runs: dict[str, list[dict]] = {t: [] for t in TOOLS}
    for _ in range(rounds):
        for tool in TOOLS:  # interleaved, so a noisy moment costs every tool alike
            argv, env = _argv(tool, file, work)
            r = run_stage(tool, argv, env)
            if r["exit"] != 0:
                raise SystemExit(f"{tool} failed on {file}: " + "\n".join(r["tail"]))
            r["rows"] = rows_out(tool, work)
            runs[tool].append(r)
    mb = file.stat().st_size / 1e6
    lines = scan_file(file).lines
    rows = {t: {"seconds": statistics.median(r["seconds"] for r in rs), "peak_rss_mb": max(r["peak_rss_mb"] for r in rs),
                "rows": rs[-1]["rows"]} for t, rs in runs.items()}
    if len({r["rows"] for rs in runs.values() for r in rs}) != 1:
        raise SystemExit(f"the tools disagree on the records of {file}: "
                         + ", ".join(f"{t} {r['rows']}" for t, r in rows.items()))
    for t in rows:
        rows[t]["mb_per_s"] = round(mb / rows[t]["seconds"], 1)
    cl = rows["citylake"]["seconds"]
    return {
        "file": str(file), "mb": round(mb, 1), "lines": lines, "rounds": rounds, "tools": rows,
        "vs_engine_limit": round(rows["iconv+duckdb"]["seconds"] / cl, 2),
        "vs_pandas": round(rows["pandas"]["seconds"] / cl, 2),
    }


def verdicts(result: dict) -> list[tuple[str, bool]]:
    return [
        ("throughput ≥ 0.6× iconv+DuckDB", result["vs_engine_limit"] >= 0.6),
        ("throughput ≥ 3× pandas", result["vs_pandas"] >= 3),
        ("peak memory ≤ 1 GB", result["tools"]["citylake"]["peak_rss_mb"] <= 1024),
    ]


def render(result: dict) -> str:
    out = [f"{result['file']}: {result['mb']} MB, {result['lines']:,} lines, median of {result['rounds']} rounds",
           f"  {'tool':<14}{'seconds':>9}{'MB/s':>8}{'peak MB':>9}"]
    for t, r in result["tools"].items():
        out.append(f"  {t:<14}{r['seconds']:>9.1f}{r['mb_per_s']:>8.1f}{r['peak_rss_mb']:>9}")
    out.append(f"  CityLake throughput: {result['vs_engine_limit']:.2f}× iconv+DuckDB, {result['vs_pandas']:.2f}× pandas")
    out += [f"  target {'met' if ok else 'MISSED'}: {label}" for label, ok in verdicts(result)]
    return "\n".join(out)


def markdown(results: list[dict]) -> str:
    """The comparison as the table docs/performance.md keeps, one row per tool and file."""
    out = ["| file | MB | lines | tool | seconds (median) | MB/s | peak RSS MB | vs CityLake |",
           "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |"]
    for r in results:
        cl = r["tools"]["citylake"]["seconds"]
        for t, v in r["tools"].items():
            ratio = "1" if t == "citylake" else f"CityLake {v['seconds'] / cl:.2f}× faster"
            out.append(f"| {Path(r['file']).name} | {r['mb']} | {r['lines']:,} | {t} | {v['seconds']:.1f} | "
                       f"{v['mb_per_s']} | {v['peak_rss_mb']} | {ratio} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench.ingest_peers")
    p.add_argument("--file", type=Path, required=True)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--replicate", type=int, default=0, help="also run on the data lines repeated N times")
    p.add_argument("--out", type=Path, default=Path("/tmp/citylake-bench/ingest-peers"))
    a = p.parse_args(argv)
    files = [a.file]
    if a.replicate > 1:
        a.out.mkdir(parents=True, exist_ok=True)
        files.append(replicate(a.file, a.out / f"x{a.replicate}_{a.file.name}", a.replicate))
    results = []
    for f in files:
        results.append(compare(f, a.out / "work", a.rounds))
        print(render(results[-1]), flush=True)
    (a.out / "ingest_peers.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(markdown(results))
    return 0 if all(ok for r in results for _, ok in verdicts(r)) else 1


if __name__ == "__main__":
    sys.exit(main())
