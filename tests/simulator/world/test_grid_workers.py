"""Grid workers: 0–3 per grid, valid IDs and phones, residents of their grid where they are residents."""

from __future__ import annotations

from stdnum.cn import ric


def test_workers_are_valid_people_of_their_grid(truth, residents):
    w, grids = truth["grid_workers"], truth["grids"]
    assert w["worker_id"].is_unique and w["id_number"].is_unique
    assert all(ric.is_valid(i) for i in w["id_number"])
    assert w["phone"].str.fullmatch(r"1[3-9]\d{9}").all()
    resident = w[w["person_key"].notna()]
    assert (resident["person_key"].map(residents.grid) == resident["grid_code"]).all()
    assert (resident["id_number"] == resident["person_key"].map(residents.id_number)).all()
    per_grid = w.groupby("grid_code").size().reindex(grids["grid_code"], fill_value=0)
    assert per_grid.between(0, 3).all()
    assert (per_grid.values == grids["grid_workers"].values).all()
    assert (per_grid == 0).any() and (per_grid >= 1).mean() > 0.5  # the fixture raises the empty-grid rate to 15%
