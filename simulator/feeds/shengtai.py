"""生态环境局: 环境投诉 (JSON document).

Not simulated yet: its contracts are drafts (see docs/sources.md).
"""

FEEDS = ()
