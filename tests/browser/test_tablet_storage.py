"""The tablet's storage, in real Chromium against a real relay and sandbox: a storage cleared under
the till is said plainly at pairing and the till numbers on after the relay (never from 1 again);
the browser's answer to persist() and the storage's use are shown to the manager, and a nearly full
storage warns the cashier; sales Odoo booked long ago leave the tablet at start, nothing else."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from processes import add_terminal, wait_for

from .helpers import (
    add_by_scan,
    browser_profile,
    open_till,
    pay_cash_and_validate,
    pending_count,
    sandbox_orders,
    settle,
    stored,
)

pytestmark = pytest.mark.browser


def _meta(page, key: str):
    """One value of the till's IndexedDB `meta` store."""
    return page.evaluate(
        """(key) => new Promise((resolve, reject) => {
            const open = indexedDB.open("kasir");
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
                const req = open.result.transaction("meta").objectStore("meta").get(key);
                req.onsuccess = () => resolve(req.result ?? null);
                req.onerror = () => reject(req.error);
            };
        })""",
        key,
    )


def _outbox_seqs(page) -> list[int]:
    return sorted(item["seq"] for item in stored(page, "outbox"))


def test_cleared_storage_is_said_plainly_and_the_numbering_goes_on(
    tmp_path, sandbox, relay, pairing_code, products
):
    with browser_profile(tmp_path / "profile") as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}")  # the day's open: seq 1
        for product in products[:2]:  # two sales: seq 2 and 3
            add_by_scan(page, product["barcode"])
            pay_cash_and_validate(page)
        wait_for(lambda: pending_count(page) == 0, "both sales at the relay", timeout=30)
        assert _outbox_seqs(page) == [1, 2, 3]

        # The browser clears the site's IndexedDB (eviction, "clear site data"): the token goes
        # with it, so the manager pairs the tablet again.
        cdp = context.new_cdp_session(page)
        cdp.send("Storage.clearDataForOrigin", {"origin": relay.url, "storageTypes": "indexeddb"})
        page.reload()
        page.locator("#pair-code").wait_for()
        page.locator("#pair-code").fill(add_terminal(relay, "kasir-1"))
        page.locator("#pair-code").press("Enter")
        settle(page)

        notice = page.locator("#storage-cleared")
        notice.wait_for()
        assert re.search(r"3 records of this till are at the relay", notice.inner_text())
        assert "New sales continue from number 4" in notice.inner_text()

        page = open_till(context, None, page=page)  # a new day: seq 4
        add_by_scan(page, products[2]["barcode"])
        pay_cash_and_validate(page)  # seq 5, never 1
        sale = next(o for o in stored(page, "orders"))
        assert sale["seq"] == 5 and sale["name"] == "kasir-1-000005"
        assert _outbox_seqs(page) == [4, 5]
        wait_for(lambda: pending_count(page) == 0, "the new sale at the relay", timeout=30)

        # Read: the cashier's notice goes, the manager's line in the settings stays.
        page.locator("#storage-seen").click()
        settle(page)
        assert page.locator("#storage-cleared").count() == 0
        page.locator("#settings > summary").click()
        settle(page)
        assert "New sales continue from number 4" in page.locator("#storage-lost").inner_text()

    (row,) = wait_for(
        lambda: sandbox_orders(sandbox, [sale["uuid"]]), "the new sale in the sandbox", timeout=60
    )
    assert row["pos_reference"] == "kasir-1-000005"


def test_persistence_and_usage_are_shown_and_a_full_storage_warns(tmp_path, relay, pairing_code):
    with browser_profile(tmp_path / "profile") as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}")
        page.locator("#settings > summary").click()
        settle(page)
        kept = page.locator("#storage-kept")
        # A fresh profile: Chromium says no to persist().
        assert kept.get_attribute("data-persisted") == "false"
        assert kept.inner_text() == "Storage: may be cleared by the browser (not persistent)"
        assert re.fullmatch(
            r"Used: .+ of .+ \([0-9.]+%\)", page.locator("#storage-usage").inner_text()
        )
        assert page.locator("#device-notices").count() == 0

        # The browser grants it (as it does to a till installed to the home screen): asked again
        # at the next start, the answer is noted and shown.
        cdp = context.new_cdp_session(page)
        cdp.send(
            "Browser.grantPermissions", {"origin": relay.url, "permissions": ["durableStorage"]}
        )
        page.reload()
        page = open_till(context, None, page=page)
        page.locator("#settings > summary").click()
        settle(page)
        assert page.locator("#storage-kept").inner_text() == "Storage: kept (persistent)"
        assert _meta(page, "persisted")["persisted"] is True

        # 85 % of the quota used: the cashier is warned in the top bar, the manager sees it too.
        context.add_init_script(
            "navigator.storage.estimate = async () => ({usage: 850000000, quota: 1000000000});"
        )
        page.reload()
        page = open_till(context, None, page=page)
        full = page.locator("#storage-full")
        full.wait_for()
        assert "85% full (850.0 MB of 1.0 GB)" in full.inner_text()
        page.locator("#settings > summary").click()
        settle(page)
        assert page.locator("#storage-usage").inner_text() == "Used: 850.0 MB of 1.0 GB (85.0%)"


# Records as an older till kept them: days before the ones sold in the test (lower seqs).
SEED = """([records]) => new Promise((resolve, reject) => {
    const open = indexedDB.open("kasir");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
        const tx = open.result.transaction(["outbox", "orders"], "readwrite");
        for (const item of records) {
            tx.objectStore("outbox").put(item);
            if (item.kind === "order") tx.objectStore("orders").put(item.record);
        }
        tx.oncomplete = () => resolve(true);
        tx.onerror = () => reject(tx.error);
    };
})"""


def _old(uuid: str, seq: int, state: str, days: int, **record) -> dict:
    made = (datetime.now(UTC) - timedelta(days=days)).isoformat()
    body = {"uuid": uuid, "kind": "order", "seq": seq, "name": f"old-{seq}", "created_at": made}
    return {
        "uuid": uuid,
        "seq": seq,
        "kind": "order",
        "record": {**body, **record},
        "state": state,
        "error": None,
        "odoo_id": 1 if state == "posted" else None,
        "created_at": made,
        "updated_at": made,
    }


def test_old_posted_sales_leave_the_tablet_at_start_and_nothing_else(
    tmp_path, relay, pairing_code, products
):
    with browser_profile(tmp_path / "profile") as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}", service_worker=True)
        add_by_scan(page, products[0]["barcode"])
        pay_cash_and_validate(page)
        (today,) = stored(page, "orders")
        day = _meta(page, "session")["uuid"]
        seeded = [
            _old("00000000-0000-4000-8000-000000000001", -6, "posted", 45),
            _old("00000000-0000-4000-8000-000000000002", -5, "posted", 31),
            _old("00000000-0000-4000-8000-000000000003", -4, "pending", 40),
            _old("00000000-0000-4000-8000-000000000004", -3, "failed", 40),
            _old("00000000-0000-4000-8000-000000000005", -2, "held", 40),
            # Booked long ago but of the day still open: its drawer is counted from it.
            _old("00000000-0000-4000-8000-000000000006", -1, "posted", 40, session_uuid=day),
        ]
        page.evaluate(SEED, [seeded])
        context.set_offline(True)  # the old pending sale stays pending: nothing is sent
        page.reload()
        page = open_till(context, None, page=page)
        gone = {"00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"}
        wait_for(
            lambda: not gone & {item["uuid"] for item in stored(page, "outbox")},
            "the old posted sales pruned",
            timeout=20,
        )
        kept = {item["uuid"]: item["state"] for item in stored(page, "outbox")}
        assert {uuid: kept[uuid] for uuid in kept if uuid.startswith("0000")} == {
            "00000000-0000-4000-8000-000000000003": "pending",
            "00000000-0000-4000-8000-000000000004": "failed",
            "00000000-0000-4000-8000-000000000005": "held",
            "00000000-0000-4000-8000-000000000006": "posted",
        }
        assert today["uuid"] in kept  # today's sale and the day's open stay
        orders = {order["uuid"] for order in stored(page, "orders")}
        assert not gone & orders
        assert "00000000-0000-4000-8000-000000000003" in orders and today["uuid"] in orders
