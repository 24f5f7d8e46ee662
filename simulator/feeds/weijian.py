"""卫健委: 出生, 死亡, 严重精神障碍患者 (front-end database).

Not simulated yet: its contracts are drafts (see docs/sources.md).
"""

FEEDS = ()
