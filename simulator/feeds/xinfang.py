"""信访局: 信访件 (XML).

Not simulated yet: its contracts are drafts (see docs/sources.md).
"""

FEEDS = ()
