"""The till in the browser: binds the `Device` protocol to the JS bridge boot.js registers.

JSON strings cross the boundary in both directions, so no proxy outlives a call and nothing here
depends on how Pyodide converts objects. This is the only module of the till that touches the browser.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import kasir_bridge as bridge  # registered by static/js/boot.js before this import

from till import i18n
from till.app import Till
from till.views import PAGE


class BrowserDevice:
    """IndexedDB and the relay, as the till sees them (see `till.device.Device`)."""

    async def load_bootstrap(self) -> dict[str, Any] | None:
        return json.loads(await bridge.loadBootstrap())

    async def load_catalog(self) -> str:
        return await bridge.loadCatalog()

    async def refresh(self) -> bool:
        return bool(await bridge.refresh())

    async def load_draft(self) -> dict[str, Any] | None:
        return json.loads(await bridge.loadDraft())

    async def save_draft(self, draft: dict[str, Any]) -> None:
        await bridge.saveDraft(json.dumps(draft))

    async def parked_sales(self) -> list[dict[str, Any]]:
        return json.loads(await bridge.parkedSales())

    async def park_sale(self, parked: dict[str, Any], current: dict[str, Any]) -> None:
        await bridge.parkSale(json.dumps(parked), json.dumps(current))

    async def resume_parked(
        self, key: str, current: dict[str, Any], park: dict[str, Any] | None
    ) -> bool:
        return bool(await bridge.resumeParked(key, json.dumps(current), json.dumps(park)))

    async def discard_parked(self, key: str) -> None:
        await bridge.discardParked(key)

    async def next_seq(self) -> int:
        return int(await bridge.nextSeq())

    async def finish_sale(self, order: dict[str, Any], seq: int) -> None:
        await bridge.finishSale(json.dumps(order), seq)

    async def load_session(self) -> dict[str, Any] | None:
        return json.loads(await bridge.loadSession())

    async def record_day(
        self, record: dict[str, Any], seq: int, session: dict[str, Any] | None
    ) -> None:
        await bridge.recordDay(json.dumps(record), seq, json.dumps(session))

    async def session_records(self, session_uuid: str) -> list[dict[str, Any]]:
        return json.loads(await bridge.sessionRecords(session_uuid))

    async def recent_orders(self, limit: int = 20) -> list[dict[str, Any]]:
        return json.loads(await bridge.recentOrders(limit))

    async def find_partners(self, query: str, limit: int = 30) -> list[dict[str, Any]]:
        return json.loads(await bridge.findPartners(query, limit))

    async def get_partner(self, key: int | str) -> dict[str, Any] | None:
        return json.loads(await bridge.getPartner(json.dumps(key)))

    async def partner_with_barcode(self, code: str) -> dict[str, Any] | None:
        return json.loads(await bridge.partnerWithBarcode(code))

    async def save_partner(self, partner: dict[str, Any], record: dict[str, Any], seq: int) -> None:
        await bridge.savePartner(json.dumps(partner), json.dumps(record), seq)

    async def find_orders(
        self, query: dict[str, Any], limit: int = 50, before: int | None = None
    ) -> dict[str, Any]:
        return json.loads(await bridge.findOrders(json.dumps(query), limit, before))

    async def shop_orders(self, text: str) -> dict[str, Any]:
        return json.loads(await bridge.shopOrders(text))

    async def outbox_counts(self) -> dict[str, Any]:
        return json.loads(await bridge.outboxCounts())

    async def sync_now(self) -> dict[str, Any]:
        return json.loads(await bridge.syncNow())

    async def retry_sale(self, uuid: str) -> dict[str, Any]:
        return json.loads(await bridge.retrySale(uuid))

    async def export_outbox(self) -> dict[str, Any]:
        return json.loads(await bridge.exportOutbox())

    async def import_records(self, text: str) -> dict[str, Any]:
        answer = json.loads(await bridge.importRecords(text))
        if "refused" in answer:
            raise RuntimeError(answer["refused"])
        return answer

    async def pair(self, code: str) -> dict[str, Any]:
        return json.loads(await bridge.pair(code))

    async def storage_seen(self) -> None:
        await bridge.storageSeen()

    def terminal(self) -> str | None:
        return bridge.terminal()

    async def take_over(self) -> None:
        await bridge.takeOver()

    async def load_settings(self) -> dict[str, Any]:
        return json.loads(await bridge.loadSettings())

    async def save_settings(self, settings: dict[str, Any]) -> None:
        await bridge.saveSettings(json.dumps(settings))

    async def load_cashiers(self) -> dict[str, Any]:
        return json.loads(await bridge.loadCashiers())

    async def save_cashiers(self, state: dict[str, Any]) -> None:
        await bridge.saveCashiers(json.dumps(state))

    async def load_language(self, language: str) -> dict[str, Any]:
        return json.loads(await bridge.loadLanguage(language))

    def print_receipt(self) -> None:
        bridge.printReceipt()

    def zone_offset(self, zone: str, moment: datetime) -> timedelta | None:
        minutes = json.loads(bridge.zoneOffset(zone, moment.timestamp() * 1000))
        return None if minutes is None else timedelta(minutes=minutes)

    def now(self) -> datetime:
        return datetime.now(UTC)


_till: Till | None = None


async def start() -> None:
    global _till
    speaking = json.loads(bridge.catalog())  # boot.js chose the language and fetched its words
    i18n.use(speaking["language"], speaking["messages"])
    _till = Till(BrowserDevice())
    await _till.start()


def render() -> str:
    """The whole screen: for a page that shows nothing yet, or lacks a kept fragment (boot.js)."""
    return PAGE.draw(_till.render, whole=True)


def handle(action: str, data_json: str) -> str | asyncio.Task[str]:
    """One user action, then the new screen: at once when the action needed no I/O (a scan, a
    tap on a product or on +), else a task that gives it. A coroutine called from JS starts only
    on a later turn of the browser's event loop, often after a frame has been drawn: a scan came
    on screen about 10 ms late. Run eagerly, the action goes as far as it can right now. The
    open sale is saved after the paint (`save_changes`)."""
    loop, outside = asyncio.get_event_loop(), asyncio._get_running_loop()
    # Called from JS, outside the loop's own turns: the eager step runs as if inside one.
    asyncio._set_running_loop(loop)
    try:
        task = asyncio.Task(_acted(action, data_json), loop=loop, eager_start=True)
    finally:
        asyncio._set_running_loop(outside)
    return task.result() if task.done() else task


async def _acted(action: str, data_json: str) -> str:
    await _till.act(action, json.loads(data_json))
    return PAGE.draw(_till.render)


async def save_changes() -> str | None:
    """Save what the last action changed; the new screen if saving had something to say."""
    said = _till.flash
    await _till.save_changes()
    return PAGE.draw(_till.render) if _till.flash is not said else None


def ready() -> bool:
    return bool(_till and _till.ready)


def can_scan() -> bool:
    """True when a burst of keys ending in Enter is a scan (see static/js/scanner.js)."""
    return bool(_till and _till.can_scan)


def idle() -> bool:
    """True between sales: the moment a new version of the app may take over."""
    return bool(_till and _till.idle)
