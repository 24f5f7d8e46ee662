"""Expensive test cities built once per pytest session and shared by every xdist worker that asks.

The first worker to ask builds under an exclusive lock; the others wait and reuse the result. What is built
is read-only for tests: a test that writes copies what it needs into its own ``tmp_path``.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def session_dir(name: str) -> Path:
    # Unique per pytest session (xdist gives every worker of one session the same id), so a city built by
    # older code in an earlier session is never reused.
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid{os.getpid()}"
    return Path(tempfile.gettempdir()) / f"citylake-{name}-{os.getuid()}-{run}"


def built_once(root: Path, build: Callable[[Path], None]) -> Path:
    """``build(root)`` unless a complete build is already there; returns ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (root / ".done").exists():
                for child in root.iterdir():
                    if child.name != ".lock":
                        shutil.rmtree(child) if child.is_dir() else child.unlink()
                build(root)
                (root / ".done").touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return root
