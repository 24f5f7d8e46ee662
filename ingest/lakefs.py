"""The lake's storage: a local folder or any fsspec URL (``s3://bucket/lake``, ``memory://lake`` …).

Every write goes to a hidden temporary name and is then moved into place. On a local disk the move is
an atomic rename; on an object store it is copy-and-delete, which is why the lake's commit record is
the manifest, written last (see ingest.lake): readers trust only loads that have one.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


class LakeFS:
    def __init__(self, root: "str | Path | LakeFS"):
        import fsspec

        if isinstance(root, LakeFS):
            self.fs, self.root, self.url = root.fs, root.root, root.url
            return
        self.url = str(root)
        self.fs, base = fsspec.core.url_to_fs(self.url)
        self.root = base.rstrip("/") or "/"

    def path(self, rel: str) -> str:
        return posixpath.join(self.root, rel)

    def rel(self, full: str) -> str:
        return posixpath.relpath(full, self.root)

    def _tmp(self, rel: str) -> str:
        d, name = posixpath.split(self.path(rel))
        return posixpath.join(d, f".{name}.tmp")

    def _mkdirs(self, rel: str) -> None:
        self.fs.makedirs(posixpath.dirname(self.path(rel)), exist_ok=True)

    def write_parquet(self, table: pa.Table, rel: str) -> None:
        self._mkdirs(rel)
        tmp = self._tmp(rel)
        with self.fs.open(tmp, "wb") as f:
            pq.write_table(table, f, compression="zstd")
        self.fs.mv(tmp, self.path(rel))

    def open_temporary(self, rel: str):
        """A binary file open at ``rel``'s hidden temporary name, for a writer that streams; (file, tmp path).
        ``move_temporary`` puts it in place (at ``rel`` or elsewhere); a crash leaves only the hidden name."""
        self._mkdirs(rel)
        tmp = self._tmp(rel)
        return self.fs.open(tmp, "wb"), tmp

    def move_temporary(self, tmp: str, rel: str) -> None:
        self._mkdirs(rel)
        self.fs.mv(tmp, self.path(rel))

    def discard_temporary(self, tmp: str) -> None:
        if self.fs.exists(tmp):
            self.fs.rm_file(tmp)

    def write_text(self, text: str, rel: str) -> None:
        self._mkdirs(rel)
        tmp = self._tmp(rel)
        self.fs.pipe_file(tmp, text.encode("utf-8"))
        self.fs.mv(tmp, self.path(rel))

    def put_file(self, local: Path, rel: str) -> None:
        self._mkdirs(rel)
        tmp = self._tmp(rel)
        self.fs.put_file(str(local), tmp)
        self.fs.mv(tmp, self.path(rel))

    def read_text(self, rel: str) -> str:
        return self.fs.cat_file(self.path(rel)).decode("utf-8")

    def exists(self, rel: str) -> bool:
        return self.fs.exists(self.path(rel))

    def glob(self, pattern: str) -> list[str]:
        """Relative paths matching ``pattern`` (hidden temporary files never match)."""
        return sorted(self.rel(p) for p in self.fs.glob(self.path(pattern))
                      if not posixpath.basename(p).startswith("."))

    def glob_temporary(self, pattern: str) -> list[str]:
        """Relative paths of the hidden temporary files (``.<name>.tmp``) in the folders ``pattern`` matches:
        what a write killed before its rename leaves behind."""
        return sorted(self.rel(p) for p in self.fs.glob(self.path(posixpath.join(pattern, ".*.tmp"))))

    def remove(self, rel: str) -> None:
        self.fs.rm_file(self.path(rel))
