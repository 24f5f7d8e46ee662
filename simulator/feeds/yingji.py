"""应急管理局: 突发事件, 危化企业 (GBK CSV).

Not simulated yet: its contracts are drafts (see docs/sources.md).
"""

FEEDS = ()
