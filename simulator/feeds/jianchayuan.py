"""检察院: 公益诉讼线索 (GBK CSV).

Not simulated yet: its contracts are drafts (see docs/sources.md).
"""

FEEDS = ()
