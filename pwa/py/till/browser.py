"""The till in the browser: binds the `Device` protocol to the JS bridge boot.js registers.

JSON strings cross the boundary in both directions, so no proxy outlives a call and nothing here
depends on how Pyodide converts objects. This is the only module of the till that touches the browser.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import kasir_bridge as bridge  # registered by static/js/boot.js before this import

from till import i18n
from till.app import Till


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

    async def next_seq(self) -> int:
        return int(await bridge.nextSeq())

    async def finish_sale(self, order: dict[str, Any], seq: int) -> None:
        await bridge.finishSale(json.dumps(order), seq)

    async def recent_orders(self, limit: int = 20) -> list[dict[str, Any]]:
        return json.loads(await bridge.recentOrders(limit))

    async def outbox_counts(self) -> dict[str, Any]:
        return json.loads(await bridge.outboxCounts())

    async def sync_now(self) -> dict[str, Any]:
        return json.loads(await bridge.syncNow())

    async def retry_sale(self, uuid: str) -> dict[str, Any]:
        return json.loads(await bridge.retrySale(uuid))

    async def export_outbox(self) -> dict[str, Any]:
        return json.loads(await bridge.exportOutbox())

    async def pair(self, code: str) -> dict[str, Any]:
        return json.loads(await bridge.pair(code))

    def terminal(self) -> str | None:
        return bridge.terminal()

    async def load_settings(self) -> dict[str, Any]:
        return json.loads(await bridge.loadSettings())

    async def save_settings(self, settings: dict[str, Any]) -> None:
        await bridge.saveSettings(json.dumps(settings))

    async def load_language(self, language: str) -> dict[str, Any]:
        return json.loads(await bridge.loadLanguage(language))

    def print_receipt(self) -> None:
        bridge.printReceipt()

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
    return _till.render()


async def handle(action: str, data_json: str) -> str:
    """One user action, then the new screen."""
    await _till.handle(action, json.loads(data_json))
    return _till.render()


def ready() -> bool:
    return bool(_till and _till.ready)


def can_scan() -> bool:
    """True when a burst of keys ending in Enter is a scan (see static/js/scanner.js)."""
    return bool(_till and _till.can_scan)


def idle() -> bool:
    """True between sales: the moment a new version of the app may take over."""
    return bool(_till and _till.idle)
