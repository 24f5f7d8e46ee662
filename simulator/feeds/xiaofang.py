"""消防救援支队: 火灾, 重点单位 (GBK CSV).

Not simulated yet: its contracts are drafts (see docs/sources.md).
"""

FEEDS = ()
