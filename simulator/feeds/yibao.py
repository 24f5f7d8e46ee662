"""医保局: 医保参保 (paged REST API).

Not simulated yet: its contracts are drafts (see docs/sources.md).
"""

FEEDS = ()
