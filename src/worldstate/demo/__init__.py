"""Bundled demo data: ``lantern_street.jsonl``, a hand-written playthrough of a small case.

*The Lantern Street Forgery*: a five-step tutorial (the last step skipped), a quest with
objectives (one blocked by a district lockdown), dialogue with the night clerk, NPCs who grow
suspicious or raise the alarm, two districts with restrictions and infiltration routes, faction
attitude changes with cascades, and two members removed from their factions.  Each line is one
``{"ts", "event", "payload"}`` object; ``worldstate export --demo`` replays it.
"""

from __future__ import annotations

__all__: list[str] = []
