"""税务局: 纳税人 (UTF-8 CSV).

Not simulated yet: its contracts are drafts (see docs/sources.md).
"""

FEEDS = ()
