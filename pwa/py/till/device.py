"""What the till needs from the place it runs: storage, the relay, the printer and the clock.

The till never touches the browser itself; `till.browser` binds this protocol to the JS bridge and the
tests bind it to memory, so every screen and rule is tested under CPython.
"""

from __future__ import annotations

from datetime import datetime, timedelta
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

    async def parked_sales(self) -> list[dict[str, Any]]:
        """Every parked sale, in no order: {"key", "parked_at", "note", "lines", "total",
        "draft"} as `park_sale` kept it (see `till.parked`)."""

    async def park_sale(self, parked: dict[str, Any], current: dict[str, Any]) -> None:
        """ONE transaction: keep `parked` under its "key" and make `current` the open cart."""

    async def resume_parked(
        self, key: str, current: dict[str, Any], park: dict[str, Any] | None
    ) -> bool:
        """ONE transaction: drop parked sale `key`, make `current` the open cart and keep `park`
        (the sale that was open) parked; False, with nothing changed, when `key` is not parked."""

    async def discard_parked(self, key: str) -> None:
        """Drop parked sale `key` (nothing of it was ever booked)."""

    async def next_seq(self) -> int:
        """The next gap-free sequence number of this terminal."""

    async def finish_sale(self, order: dict[str, Any], seq: int) -> None:
        """ONE transaction: order history, outbox, sequence and the cleared draft."""

    async def load_session(self) -> dict[str, Any] | None:
        """The register's day open on this tablet ({"uuid", "opened_at", "cashier", "cash"}, as
        `record_day` kept it), or None (see `till.session`)."""

    async def record_day(
        self, record: dict[str, Any], seq: int, session: dict[str, Any] | None
    ) -> None:
        """ONE transaction: a day's record (session open or close, cash move) into the outbox,
        the sequence, and the tablet's open day (`session`; None clears it: a close)."""

    async def session_records(self, session_uuid: str) -> list[dict[str, Any]]:
        """The records of the outbox that name this session (`session_uuid`): its sales and cash
        moves, in sequence order."""

    async def recent_orders(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest finished orders, newest first."""

    async def find_partners(self, query: str, limit: int = 30) -> list[dict[str, Any]]:
        """At most `limit` customers kept on this till whose name, phone, e-mail or card barcode
        holds every word of `query` (any case; digits also match a phone typed with spaces);
        "" lists the first ones. Those not in Odoo yet have "pending": true and their uuid as id."""

    async def get_partner(self, key: int | str) -> dict[str, Any] | None:
        """The customer kept under `key` (Odoo's id, or the uuid of one not in Odoo yet)."""

    async def partner_with_barcode(self, code: str) -> dict[str, Any] | None:
        """The customer whose card barcode is exactly `code`, or None."""

    async def save_partner(self, partner: dict[str, Any], record: dict[str, Any], seq: int) -> None:
        """ONE transaction: keep `partner` (a new one under its uuid, pending) and queue its
        partner record in the outbox with sequence number `seq`."""

    async def find_orders(
        self, query: dict[str, Any], limit: int = 50, before: int | None = None
    ) -> dict[str, Any]:
        """The finished orders kept on this till matching `query` ({"text", "amount", "from",
        "to"}, any of them; {} matches all), newest first, at most `limit`, older than sequence
        number `before` when given: {"orders": [record + {"hop": {"state", "error",
        "retryable", "odoo_name"}}], "next": the `before` of the next page, or None}."""

    async def shop_orders(self, text: str) -> dict[str, Any]:
        """The sales of every till of this shop the relay holds whose receipt number starts with
        `text` or whose Odoo name contains it, newest first, and the refunds of their lines:
        {"orders": [{"terminal", "record", "status", "odoo_name"?, "error"?}], "refunds":
        [records]}. Raises when the relay cannot be reached."""

    async def outbox_counts(self) -> dict[str, Any]:
        """Counts per outbox state and what needs attention, plus the network hint:
        {"pending", "sent", "posted", "failed", "held", "rejected": int,
        "attention": [{"uuid", "name", "kind", "state", "error", "retryable"}],
        "waiting": [{"uuid", "name", "kind", "state", "error"}], "online": bool}.
        `attention` lists every rejected, failed and held item, oldest first; `waiting` the
        first items at the relay that it says why it holds back (e.g. no open session).
        "device": the tablet itself (`till.health`): {"persisted": the browser keeps its storage
        (bool, None unknown), "usage", "quota": bytes or None, "lost": a cleared storage's note
        or None, "clock": {"skew_ms", "at"} against the relay's clock, or None}."""

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

    async def import_records(self, text: str) -> dict[str, Any]:
        """Bring a recovery file (its text) another till exported to the relay, which takes its
        records as that till's: {"terminal", "records", "new", "duplicate", "rejected",
        "sealed", "results"}; raises with the relay's reason when the file is refused."""

    async def pair(self, code: str) -> dict[str, Any]:
        """Pair this terminal with a one-time code: {"terminal": name, "lost": the note of a
        cleared storage (see `storage_seen`) or None}; raises with a message."""

    async def storage_seen(self) -> None:
        """The cashier read the note of a storage found cleared (`outbox_counts()["device"]
        ["lost"]`, {"missing", "next", "at", "seen"}): it is kept, marked seen."""

    def terminal(self) -> str | None:
        """The paired terminal's name, None if not paired."""

    async def take_over(self) -> None:
        """Make this tab the register of this device (the tab that was turns read-only); then
        the till reads everything again, as the other tab left it (`till.takeover`)."""

    async def load_settings(self) -> dict[str, Any]:
        """The cashier's settings of this tablet ({} until saved once): "language" and the
        scanner's (see `till.settings.SCANNER`)."""

    async def save_settings(self, settings: dict[str, Any]) -> None:
        """Keep the settings (they survive a reload) and hand the scanner's to the scanner."""

    async def load_cashiers(self) -> dict[str, Any]:
        """Who is logged in and the wrong PINs counted ({} at first): {"current": key or None,
        "tries": {key: {"count", "until"}}} as `save_cashiers` kept it (see `till.cashiers`)."""

    async def save_cashiers(self, state: dict[str, Any]) -> None:
        """Keep who is logged in and the wrong PINs, so a reload neither logs out nor unlocks."""

    async def load_language(self, language: str) -> dict[str, Any]:
        """Fetch the catalog of `language`: {"language", "messages"}; "en" and no messages
        when it could not be loaded."""

    def print_receipt(self) -> None:
        """Print the receipt once the screen is painted (the print stylesheet leaves only it,
        on the tablet's paper)."""

    def zone_offset(self, zone: str, moment: datetime) -> timedelta | None:
        """How far the IANA time zone `zone` is ahead of UTC at `moment`; None when the device
        does not know the zone. Pyodide has no time zone database: the browser's Intl answers."""

    def now(self) -> datetime:
        """An aware UTC datetime (tests inject a fixed clock)."""
