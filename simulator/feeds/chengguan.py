"""城管局: 数字城管案件 (paged REST API).

Not simulated yet: its contracts are drafts (see docs/sources.md).
"""

FEEDS = ()
