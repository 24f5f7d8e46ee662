"""The departments, simulated: a seeded city of persons, households, houses and grids in Yichun,
rendered as each department's native feed, with the ground truth written beside it (see README.md)."""
