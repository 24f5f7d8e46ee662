"""Arrow text and number arrays built straight from buffers.

Hand-written because pyarrow's Python-object conversion (``pa.array``, ``pa.scalar``) imports pandas on its
first use, 2.4 s on this machine: a fixed cost larger than parsing a 40 MB file. These helpers touch only
numpy and Arrow buffers, so the streaming load never pays it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_MAX_BYTES = (1 << 31) - 1  # a StringArray's int32 offsets


def _bitmap(valid: np.ndarray) -> tuple[pa.Buffer | None, int]:
    nulls = int(valid.size - np.count_nonzero(valid))
    return (pa.py_buffer(np.packbits(valid, bitorder="little")) if nulls else None), nulls


def strings(values: Sequence[str | None]) -> pa.StringArray:
    n = len(values)
    encoded = [v.encode("utf-8") if v is not None else b"" for v in values]
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, encoded), np.int64, n), out=offsets[1:])
    if offsets[-1] > _MAX_BYTES:
        raise ValueError("more than 2 GiB of text in one array")
    validity, nulls = _bitmap(np.fromiter((v is not None for v in values), bool, n))
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(b"".join(encoded)),
                                       validity, nulls)


def constant(text: str, n: int) -> pa.StringArray:
    raw = text.encode("utf-8")
    if len(raw) * n > _MAX_BYTES:
        raise ValueError("more than 2 GiB of text in one array")
    offsets = np.arange(n + 1, dtype=np.int64) * len(raw)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(raw * n))


def int64s(values: np.ndarray) -> pa.Array:
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(np.ascontiguousarray(values, np.int64))])


def timestamps(value: dt.datetime, n: int) -> pa.Array:
    """``n`` copies of an aware datetime, as timestamp[us, UTC]."""
    us = round(value.timestamp() * 1_000_000)
    return pa.Array.from_buffers(pa.timestamp("us", tz="UTC"), n, [None, pa.py_buffer(np.full(n, us, np.int64))])


def blank_to_null(arr: pa.StringArray) -> pa.StringArray:
    """Trimmed of whitespace, with empty values as null: what the careful reader does to each field."""
    trimmed = pc.utf8_trim_whitespace(arr)
    n = len(trimmed)
    offsets = np.frombuffer(trimmed.buffers()[1], dtype=np.int32, count=trimmed.offset + n + 1)[trimmed.offset:]
    valid = np.diff(offsets) > 0
    if trimmed.null_count:
        bits = np.unpackbits(np.frombuffer(trimmed.buffers()[0], np.uint8), bitorder="little")
        valid &= bits[trimmed.offset : trimmed.offset + n].astype(bool)
    validity, nulls = _bitmap(valid)
    return pa.StringArray.from_buffers(n, trimmed.buffers()[1], trimmed.buffers()[2], validity, nulls, trimmed.offset)
