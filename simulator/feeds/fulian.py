"""妇联: 留守儿童, 妇女儿童维权 (GBK CSV).

Not simulated yet: its contracts are drafts (see docs/sources.md).
"""

FEEDS = ()
