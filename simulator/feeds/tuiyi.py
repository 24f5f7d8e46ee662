"""退役军人事务局: 退役军人 (xlsx with a two-level header).

Not simulated yet: its contracts are drafts (see docs/sources.md).
"""

FEEDS = ()
