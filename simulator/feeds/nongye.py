"""农业农村局: 行政村, 防返贫监测对象 (xlsx).

Not simulated yet: its contracts are drafts (see docs/sources.md).
"""

FEEDS = ()
