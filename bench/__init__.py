"""Benchmarks: time and peak memory of each pipeline stage at a chosen city size."""
