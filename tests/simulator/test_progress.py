"""Big runs report progress on stderr; small ones stay quiet unless asked."""

from __future__ import annotations

from simulator.city import simulate
from tests.simulator.conftest import AS_OF


def test_progress_on_stderr_when_asked(tmp_path, capsys):
    simulate(tmp_path / "a", persons=300, seed=1, as_of=AS_OF, progress=True)
    err = capsys.readouterr().err
    assert "simulate: day 0/0 persons 300/300 (100.0%)" in err


def test_quiet_by_default_for_small_cities(tmp_path, capsys):
    simulate(tmp_path / "b", persons=300, seed=1, as_of=AS_OF)
    assert capsys.readouterr().err == ""
