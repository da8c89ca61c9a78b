"""Misbehaviour on demand, and the speed of a real Odoo.

Faults make the sandbox fail the ways a relay must survive: Odoo down, slow, a proxy's HTTP 500,
the connection dropped after Odoo committed, PostgreSQL serialization failures. The speed
settings make it as slow as a measured Odoo 18 (`call_cost` + `order_cost` per order of a
sync_from_ui call, `workers` calls at a time), so a benchmark can hold a forwarder to the ideal
throughput of 1 / order_cost. Counters count down as calls consume them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

_SWITCHES = ("down",)
_SECONDS = ("slow", "call_cost", "order_cost")
_COUNTS = ("error_500", "drop_after_commit", "drop_card_after_commit", "serialization_failures")


@dataclass
class Faults:
    """The current settings; `update` changes them from JSON (the control route, create_app)."""

    down: bool = False  # every call: the connection is closed without an answer
    slow: float = 0.0  # seconds to wait before handling each call (the network, not Odoo)
    error_500: int = 0  # next N execute_kw calls: HTTP 500 with an HTML body, nothing done
    drop_after_commit: int = 0  # next N sync_from_ui calls: commit, then drop the connection
    drop_card_after_commit: int = 0  # next N loyalty.card create/write calls: the same
    serialization_failures: int = 0  # next N sync_from_ui calls: Odoo's retries ran out
    call_cost: float = 0.0  # seconds each sync_from_ui call takes in Odoo...
    order_cost: float = 0.0  # ...plus this much per order it creates or updates
    workers: int = 1  # calls Odoo serves at once (--workers=0/1: one); the others wait

    def update(self, changes: dict[str, Any]) -> None:
        """Apply {"reset": true, "down": true, "slow": 2.5, ...}; ValueError on anything else
        (nothing is changed then)."""
        if not isinstance(changes, dict):
            raise ValueError("faults must be a JSON object")
        unknown = set(changes) - {"reset", *asdict(self)}
        if unknown:
            raise ValueError(f"unknown faults: {sorted(unknown)}")
        new = Faults() if changes.get("reset") else Faults(**asdict(self))
        for name in _SWITCHES:
            if name in changes:
                if not isinstance(changes[name], bool):
                    raise ValueError(f"{name} must be true or false")
                setattr(new, name, changes[name])
        for name in _SECONDS:
            if name in changes:
                value = changes[name]
                if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
                    raise ValueError(f"{name} must be a number of seconds >= 0")
                if value < 0:
                    raise ValueError(f"{name} must be a number of seconds >= 0")
                setattr(new, name, float(value))
        for name in (*_COUNTS, "workers"):
            if name in changes:
                count = changes[name]
                least = 1 if name == "workers" else 0
                if isinstance(count, bool) or not isinstance(count, int) or count < least:
                    raise ValueError(f"{name} must be a count >= {least}")
                setattr(new, name, count)
        for name, value in asdict(new).items():
            setattr(self, name, value)

    def reset(self) -> None:
        self.update({"reset": True})

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def take(self, name: str) -> bool:
        """Consume one of a counted fault: True if it fires for this call."""
        if getattr(self, name) > 0:
            setattr(self, name, getattr(self, name) - 1)
            return True
        return False

    def sync_cost(self, orders: int) -> float:
        """Seconds a sync_from_ui call creating or updating `orders` orders takes in Odoo."""
        return self.call_cost + self.order_cost * orders


class Workers:
    """Odoo's worker pool: at most `faults.workers` calls inside at once, the others queue.
    Read at every entry, so a change applies to the next calls."""

    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self.busy = 0
        self._changed = asyncio.Condition()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self._changed:
            await self._changed.wait_for(lambda: self.busy < self.faults.workers)
            self.busy += 1
        try:
            yield
        finally:
            async with self._changed:
                self.busy -= 1
                self._changed.notify_all()
