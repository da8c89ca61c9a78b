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
        """Counts per outbox state and what needs attention, plus the network hint:
        {"pending", "sent", "posted", "failed", "held", "rejected": int,
        "attention": [{"uuid", "name", "kind", "state", "error", "retryable"}], "online": bool}.
        `attention` lists every rejected, failed and held item, oldest first."""

    async def sync_now(self) -> dict[str, Any]:
        """Flush the outbox now; returns `outbox_counts()` ("online" False: the relay was not
        reached)."""

    async def retry_sale(self, uuid: str) -> dict[str, Any]:
        """Put a rejected or failed item back to pending (same uuid, same record) and flush;
        returns `outbox_counts()`. The relay checks a rejected record again and answers a failed
        one with its current state."""

    async def export_outbox(self) -> dict[str, Any]:
        """Save every record not in Odoo yet as `kasir-<terminal>-<date>.json`:
        returns {"file": name, "records": count}."""

    async def pair(self, code: str) -> dict[str, Any]:
        """Pair this terminal with a one-time code: {"terminal": name}; raises with a message."""

    def terminal(self) -> str | None:
        """The paired terminal's name, None if not paired."""

    async def load_settings(self) -> dict[str, Any]:
        """The cashier's settings of this tablet ({} until saved once): "language" and the
        scanner's (see `till.settings.SCANNER`)."""

    async def save_settings(self, settings: dict[str, Any]) -> None:
        """Keep the settings (they survive a reload) and hand the scanner's to the scanner."""

    async def load_language(self, language: str) -> dict[str, Any]:
        """Fetch the catalog of `language`: {"language", "messages"}; "en" and no messages
        when it could not be loaded."""

    def print_receipt(self) -> None:
        """Print the page (the print stylesheet leaves only the receipt)."""

    def now(self) -> datetime:
        """An aware UTC datetime (tests inject a fixed clock)."""
