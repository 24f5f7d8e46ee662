"""Renderers: one module per department, turning the city's entities into that department's records."""
