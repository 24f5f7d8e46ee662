"""教体局: 学校, 在校学生 (UTF-8-BOM CSV).

Not simulated yet: its contracts are drafts (see docs/sources.md).
"""

FEEDS = ()
