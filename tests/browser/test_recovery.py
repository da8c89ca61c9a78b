"""Recovery in one click, in real Chromium: a till's unsent records, exported as one checksummed
file from its sync panel or its boot error screen, are brought to the relay by another paired till
or on /admin; the sales reach Odoo exactly once, and the first till, back online, does not double
them (server/recovery.py, static/js/outbox.js exportUnsent)."""

from __future__ import annotations

from pathlib import Path

import pytest
from processes import ADMIN_TOKEN, add_terminal, booked_once, wait_for

from .helpers import (
    add_by_scan,
    browser_profile,
    browser_profiles,
    downloaded_json,
    open_till,
    orders_in_browser,
    pay_cash_and_validate,
    pending_count,
    settle,
)

pytestmark = pytest.mark.browser

TOKEN = ADMIN_TOKEN  # the admin_relay fixture's (tests/conftest.py)


def flash(page) -> str:
    return page.locator("#flash").inner_text().strip()


def open_sync_panel(page) -> None:
    if page.locator("#sync-panel[open]").count() == 0:
        page.locator("#sync-panel summary").click()
        settle(page)


def sell(page, barcode: str) -> None:
    add_by_scan(page, barcode)
    pay_cash_and_validate(page)


def import_file(page, path: Path) -> str:
    open_sync_panel(page)
    page.locator("#import-records").set_input_files(str(path))
    page.wait_for_function(
        "document.querySelector('#flash')?.textContent.includes('Import')", timeout=15_000
    )
    settle(page)
    return flash(page)


def test_a_file_exported_offline_is_imported_by_another_till_once(
    tmp_path, sandbox, admin_relay, products
):
    url = admin_relay.url
    codes = add_terminal(admin_relay, "kasir-1"), add_terminal(admin_relay, "kasir-2")
    with browser_profiles(tmp_path / "one", tmp_path / "two") as (first, second):
        one = open_till(first, f"{url}/?pair={codes[0]}")
        two = open_till(second, f"{url}/?pair={codes[1]}")

        # kasir-1 loses the network and sells on.
        first.set_offline(True)
        sell(one, products[0]["barcode"])
        sell(one, products[1]["barcode"])
        sales = sorted(orders_in_browser(one), key=lambda sale: sale["seq"])
        uuids = [sale["uuid"] for sale in sales]
        assert len(uuids) == 2 and pending_count(one) == 2

        # Export from the sync panel: one file, every unsent record, checksummed and sealed.
        open_sync_panel(one)
        exporter = one.locator("#export-outbox")
        assert exporter.inner_text() == "Export unsent records"
        path, dump = downloaded_json(one, exporter, tmp_path)
        assert (dump["format"], dump["version"], dump["terminal"]["name"]) == (
            "kasir-unsent-records",
            1,
            "kasir-1",
        )
        assert len(dump["terminal"]["id"]) == 16 and dump["exported_at"]
        assert len(dump["sha256"]) == 64 and len(dump["seal"]) == 64
        assert dump["shop"]["config_id"] is not None
        exported = [r for r in dump["records"] if r["kind"] == "order"]
        assert exported == sales  # the records as the till keeps them: its seqs, its uuids
        settle(one)
        assert flash(one).startswith("Exported ")

        # A damaged copy is refused on kasir-2, with the reason.
        damaged = tmp_path / "damaged.json"
        damaged.write_text(path.read_text().replace(sales[0]["amount_total"], "1", 1))
        said = import_file(two, damaged)
        assert said.startswith("Import refused: the file's checksum does not match its content")

        # kasir-2 brings the file to the relay: the sales go to Odoo as kasir-1's.
        others = len(dump["records"]) - 2  # the day's open, if it was not in Odoo yet
        said = import_file(two, path)
        assert said == f"Imported kasir-1's unsent records: 2 new, {others} already here."
        assert [o["uuid"] for o in orders_in_browser(two)] == []  # nothing of kasir-2's own
        # Twice: nothing changes, and it says so.
        said = import_file(two, path)
        assert said == f"Imported kasir-1's unsent records: 0 new, {others + 2} already here."
        wait_for(lambda: len(sandbox.orders(uuids)) == 2, "the two sales in Odoo", timeout=60)

        # kasir-1 comes back: its outbox is sent, the relay knows both, nothing is booked twice.
        first.set_offline(False)
        one.locator("#sync-now").click()
        settle(one)
        wait_for(lambda: pending_count(one) == 0, "kasir-1's outbox to be sent", timeout=60)
        one.locator("#all-in-odoo").wait_for(timeout=60_000)
    booked_once(sandbox, uuids)


def test_the_boot_error_screen_exports_and_the_manager_uploads_on_admin(
    tmp_path, sandbox, admin_relay, products
):
    url = admin_relay.url
    code = add_terminal(admin_relay, "kasir-1")
    # Playwright routes only what the page fetches itself: no service worker in between.
    with browser_profile(tmp_path / "profile", service_workers="block") as context:
        # Without the worker's cache each start loads the runtime again: give a busy machine time.
        page = open_till(context, f"{url}/?pair={code}&watchdog=120000")
        # The relay's sync is out of reach: the sale stays in the outbox.
        context.route("**/api/v1/sync", lambda route: route.abort())
        sell(page, products[0]["barcode"])
        (sale,) = orders_in_browser(page)
        assert pending_count(page) == 1

        # The next start hangs (the runtime's wasm never arrives): the error screen offers the file.
        context.route("**/*.wasm", lambda route: None)
        page.goto(f"{url}/?watchdog=1500")
        page.locator("#boot.failed").wait_for(timeout=15_000)
        button = page.locator("#boot-export")
        assert button.inner_text() == "Export unsent records"
        path, dump = downloaded_json(page, button, tmp_path)
        assert dump["format"] == "kasir-unsent-records" and dump["terminal"]["name"] == "kasir-1"
        assert [r for r in dump["records"] if r["kind"] == "order"] == [sale]
        page.locator("#boot-exported").wait_for()
        assert (
            page.locator("#boot-exported")
            .inner_text()
            .startswith(f"Saved {len(dump['records'])} unsent records to {path.name}")
        )

        # The manager uploads it on /admin.
        admin = context.new_page()
        admin.goto(f"{url}/admin")
        admin.locator('input[name="token"]').fill(TOKEN)
        admin.locator('input[name="token"]').press("Enter")
        admin.locator('input[name="file"]').set_input_files(str(path))
        admin.locator('form[action="/admin/recovery"] button').click()
        note = admin.locator(".note")
        note.wait_for()
        others = len(dump["records"]) - 1
        assert note.inner_text() == (
            f"Imported kasir-1's unsent records: 1 new, {others} already here."
        )
        wait_for(lambda: len(sandbox.orders([sale["uuid"]])) == 1, "the sale in Odoo", timeout=60)

        # The till starts again and sends its outbox: a duplicate, booked once.
        context.unroute("**/*.wasm")
        context.unroute("**/api/v1/sync")
        page = open_till(context, f"{url}/?watchdog=120000", page=page)
        wait_for(lambda: pending_count(page) == 0, "the outbox to be sent", timeout=60)
        page.locator("#all-in-odoo").wait_for(timeout=60_000)
    booked_once(sandbox, [sale["uuid"]])
