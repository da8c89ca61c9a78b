"""A tablet whose clock is wrong, in real Chromium against a real relay: the cashier is warned under
the top bar and the settings panel says it, from the relay's `now` in its answers; the relay's
/admin shows the same terminal as wrong (tests/relay/test_clocks.py).

The wrong clock is an init script moving the page's Date.now 10 minutes ahead (not Playwright's
page.clock, which also takes over the timers the till and Pyodide run on); the till's records and
its X-Kasir-Clock header read Date.now, the service worker keeps the machine's clock."""

from __future__ import annotations

import pytest

from .helpers import browser_profile, open_till, settle

pytestmark = pytest.mark.browser

TEN_MINUTES_AHEAD = """(() => {
    const real = Date.now;
    Date.now = () => real.call(Date) + 10 * 60 * 1000;
})();"""


def test_a_clock_ten_minutes_ahead_warns_the_cashier(tmp_path, relay, pairing_code):
    with browser_profile(tmp_path / "profile") as context:
        context.add_init_script(TEN_MINUTES_AHEAD)
        page = open_till(context, f"{relay.url}/?pair={pairing_code}")
        warning = page.locator("#clock-wrong")
        warning.wait_for(timeout=30_000)
        assert warning.inner_text() == (
            "This tablet's clock is 10 minutes ahead of the relay's: its sales would carry a "
            "wrong time. Set the tablet's date and time."
        )
        page.locator("#settings > summary").click()
        settle(page)
        assert "10 minutes ahead" in page.locator("#clock-state").inner_text()


def test_a_right_clock_says_so_and_warns_no_one(tmp_path, relay, pairing_code):
    with browser_profile(tmp_path / "profile") as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}")
        page.locator("#settings > summary").click()
        settle(page)
        page.wait_for_function(
            "document.querySelector('#clock-state')?.textContent.startsWith('Clock: right')"
        )
        assert page.locator("#clock-wrong").count() == 0
