"""人社局: 社保参保, 就业登记 (paged REST API).

Not simulated yet: its contracts are drafts (see docs/sources.md).
"""

FEEDS = ()
