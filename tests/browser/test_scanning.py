"""A wedge scanner's keystrokes survive whatever the till repaints in the background."""

from __future__ import annotations

import pytest

from .helpers import browser_profile, open_till, settle

pytestmark = pytest.mark.browser


def test_a_background_repaint_does_not_eat_a_scan_in_progress(
    tmp_path, relay, pairing_code, products
):
    code = products[0]["barcode"]
    with browser_profile(tmp_path / "profile") as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}")
        scan = page.locator("#scan")
        scan.press_sequentially(code[:6], delay=5)
        # Sync news arrives mid-scan and the whole screen is repainted.
        page.evaluate(
            """() => window.kasirTill.dispatch("outbox-changed",
                {counts: {pending: 0, sent: 0, posted: 0, failed: 0, held: 0, rejected: 0,
                          attention: []}},
                {background: true})"""
        )
        settle(page)
        scan.press_sequentially(code[6:], delay=5)
        scan.press("Enter")
        settle(page)
        lines = page.locator("#cart-lines .line")
        assert lines.count() == 1
        assert products[0]["name"] in lines.first.inner_text()
