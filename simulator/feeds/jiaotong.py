"""交通运输局: 营运车辆, 从业人员 (GBK CSV).

Not simulated yet: its contracts are drafts (see docs/sources.md).
"""

FEEDS = ()
