"""What the world's rates are, in one place; every default can be overridden by ``build_world(config=...)``."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class WorldConfig:
    # grids and grid workers
    grid_without_worker: float = 0.02  # share of grids left with no 网格员 (the ≥1 per grid indicator)
    # cameras: share of 行政村 / 自然村 that miss the plan's 5 and 2 points
    village_short_of_cameras: float = 0.06
    natural_village_short_of_cameras: float = 0.02  # per 自然村: a 行政村 has 3–8, so ~10% of 行政村 have one short
    camera_offline_per_day: float = 0.04  # share of cameras offline on a given day
    # organisations per 1,000 persons (Yichun: ~350k 市场主体 for 5M, 70% of them 个体工商户)
    enterprises_per_1000: float = 20.0
    individual_businesses_per_1000: float = 48.0
    social_orgs_per_1000: float = 0.6
    hazardous_chemical_share: float = 0.012  # of enterprises
    fire_key_unit_share: float = 0.05  # of enterprises, schools and social organisations
    # vital events per person per year
    birth_rate: float = 0.0085
    death_rate: float = 0.0075
    move_rate: float = 0.04  # households moving rooms
    new_floating_rate: float = 0.05  # new floating registrations a year per floating resident (~25% of persons)
    # events: per-kind overrides, {kind: {field: value}} over events.KINDS (e.g. {"hotline": {"per_person_year": 0.12}})
    events: dict[str, dict[str, Any]] = field(default_factory=dict)

    def with_overrides(self, overrides: dict[str, Any] | None) -> "WorldConfig":
        if not overrides:
            return self
        unknown = set(overrides) - set(self.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown world config keys {sorted(unknown)}")
        return replace(self, **overrides)
