"""What the till needs from the place it runs: storage, the relay, the printer and the clock.

The till never touches the browser itself; `till.browser` binds this protocol to the JS bridge and the
tests bind it to memory, so every screen and rule is tested under CPython.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

__all__ = ["Device"]


class Device(Protocol):
    """The terminal's storage and network, as seen from the cashier's screens."""

    async def load_bootstrap(self) -> dict[str, Any] | None:
        """The stored bootstrap; None before the first refresh."""

    async def load_catalog(self) -> str:
        """The stored catalog records as one JSON array: `Catalog.apply_json` reads it fastest."""

    async def refresh(self) -> bool:
        """Pull bootstrap and catalog from the relay; False if it cannot be reached."""

    async def load_draft(self) -> dict[str, Any] | None:
        """The open cart (`Cart.to_dict()`) saved before a reload, or None."""

    async def save_draft(self, draft: dict[str, Any]) -> None:
        """Keep the open cart so a reload restores it."""

    async def next_seq(self) -> int:
        """The next gap-free sequence number of this terminal."""

    async def finish_sale(self, order: dict[str, Any], seq: int) -> None:
        """ONE transaction: order history, outbox, sequence and the cleared draft."""

    async def recent_orders(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest finished orders, newest first."""

    async def outbox_counts(self) -> dict[str, Any]:
        """{"pending", "sent", "posted", "failed": counts, "errors": [{"uuid", "name", "error"}]}."""

    async def sync_now(self) -> dict[str, Any]:
        """Flush the outbox now; returns `outbox_counts()`."""

    async def pair(self, code: str) -> dict[str, Any]:
        """Pair this terminal with a one-time code: {"terminal": name}; raises with a message."""

    def terminal(self) -> str | None:
        """The paired terminal's name, None if not paired."""

    def print_receipt(self) -> None:
        """Print the page (the print stylesheet leaves only the receipt)."""

    def now(self) -> datetime:
        """An aware UTC datetime (tests inject a fixed clock)."""
