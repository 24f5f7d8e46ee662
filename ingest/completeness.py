"""Is a file delivery complete? A delivery that is not is landed as ``held``: its rows are kept in the
lake's held area with the reason, and it does not become the feed's current snapshot.

Why this matters most for ``full`` feeds: staging takes the latest file as the whole register, so a file
cut short (still being copied, a transfer that broke) would silently shrink the register.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from ingest.accounting import TEXT_FORMATS, FileScan
from ingest.contracts import Contract

CHANGED_WHILE_READ = "文件在读取过程中仍在变化（大小或修改时间改变），可能仍在写入，待下次完整投递"


def hold_before_reading(contract: Contract, path: Path, scan: FileScan, before: os.stat_result,
                        after: os.stat_result, latest_source: str | None, source: str) -> str | None:
    """The reason to hold a delivery that is known before its records are read, or None."""
    d = contract.delivery
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns) or scan.size != after.st_size:
        return CHANGED_WHILE_READ
    if d.settle_seconds and time.time() - after.st_mtime < d.settle_seconds:
        return f"文件修改不足 {d.settle_seconds:g} 秒，可能仍在写入，待下次运行再装载"
    if d.done_marker and not path.with_name(path.name + d.done_marker).exists():
        return f"未见完成标记文件 {path.name + d.done_marker}，部门尚未确认投递完成"
    if d.format in TEXT_FORMATS and scan.size and not scan.terminated:
        return "文件末尾缺少换行符，最后一行可能被截断（写入未完成或传输中断）"
    if d.mode == "full" and latest_source and source < latest_source and Path(source).name != Path(latest_source).name:
        # A department re-sending an old export after a newer one: taking it as the register would roll
        # the register back. A correction re-sent under the latest file's own name is loaded.
        return f"补发的旧快照（早于当前快照 {latest_source}），不替换当前登记数据"
    return None


def hold_after_reading(contract: Contract, records: int, last_accepted: int | None) -> str | None:
    """A full snapshot implausibly smaller than the last accepted one (the contract's minSnapshotRatio)."""
    ratio = contract.delivery.min_snapshot_ratio
    if contract.delivery.mode != "full" or not last_accepted or last_accepted < 100 or not ratio:
        return None
    if records < ratio * last_accepted:
        return (f"全量快照仅 {records} 条，不足上次已接收快照 {last_accepted} 条的 {ratio:.0%}，"
                "疑似导出不完整，暂不作为当前快照")
    return None
