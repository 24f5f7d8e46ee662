"""法院: 民商事案件 (UTF-8 CSV).

Not simulated yet: its contracts are drafts (see docs/sources.md).
"""

FEEDS = ()
