"""Every screen of the till at a landscape tablet, a portrait tablet and a phone: a screenshot of
each (written under the folder `make test` prints at its end) and no control cut off.

"Cut off" means a control a cashier cannot bring wholly into view: scrolled as far as the page and its
scrolling panes allow, some of it stays outside the viewport or under another element.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import demo_products
from playwright.sync_api import Page
from processes import add_terminal

from .helpers import add_by_scan, browser_profile, open_till, settle
from .test_cashiers import ANI, CASHIER_ANI, CASHIER_BUDI, log_in
from .test_parked import park

pytestmark = pytest.mark.browser


SIZES = (
    {"width": 1280, "height": 800},
    {"width": 800, "height": 1280},
    {"width": 390, "height": 844},
)
SCREENS_DIR = Path(os.environ.get("KASIR_SCREENS_DIR") or Path("var") / "screens").resolve()

# Each control that is shown: scrolled into view (its panes and the page scroll as far as they go),
# is it wholly inside the viewport and the element found at its middle? Returns the ones that are not.
CUT_OFF = """(scope) => {
    const width = document.documentElement.clientWidth;
    const height = document.documentElement.clientHeight;
    const cut = [];
    const controls = document.querySelector(scope).querySelectorAll(
        "button, input:not([type=hidden]), select, textarea, summary");
    for (const el of controls) {
        if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
        if (el.closest("[inert]")) continue;
        el.scrollIntoView({block: "nearest", inline: "nearest"});
        const r = el.getBoundingClientRect();
        const what = el.id || el.dataset.action || el.name || el.className || el.tagName;
        if (r.left < -0.5 || r.top < -0.5 || r.right > width + 0.5 || r.bottom > height + 0.5) {
            cut.push(`${what} at ${Math.round(r.left)},${Math.round(r.top)} `
                + `${Math.round(r.width)}x${Math.round(r.height)} is outside ${width}x${height}`);
            continue;
        }
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        if (hit === null || !(hit === el || el.contains(hit) || hit.contains(el))) {
            const over = hit ? (hit.id || hit.className || hit.tagName) : "nothing";
            cut.push(`${what} is covered by ${over}`);
        }
    }
    window.scrollTo(0, 0);
    return cut;
}"""


def _look(page: Page, folder: Path, name: str, problems: list[str], scope: str = "#app") -> None:
    """Screenshot the screen as it is, then check that each control of `scope` can be reached
    (a panel open over the screen: its own controls; what it covers is reached by closing it)."""
    settle(page)
    page.screenshot(path=str(folder / f"{name}.png"))
    problems.extend(f"{folder.name} {name}: {cut}" for cut in page.evaluate(CUT_OFF, scope))


def _click(page: Page, selector: str) -> None:
    page.locator(selector).first.click()
    settle(page)


def _key(page: Page, key: str) -> None:
    page.keyboard.press(key)
    settle(page)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s['width']}x{s['height']}")
def test_every_screen(tmp_path, hr_relay, hr_sandbox, size):
    relay = hr_relay
    pairing_code = add_terminal(relay, "kasir-1")
    products = demo_products(hr_sandbox)
    folder = SCREENS_DIR / f"{size['width']}x{size['height']}"
    shutil.rmtree(folder, ignore_errors=True)  # this run's screens only
    folder.mkdir(parents=True)
    problems: list[str] = []
    with browser_profile(tmp_path / "profile", viewport=size) as context:
        page = context.new_page()
        page.goto(relay.url)
        page.locator("#pair-code").wait_for()
        _look(page, folder, "01-pair", problems)
        page.goto(f"{relay.url}/?pair={pairing_code}")
        page.locator(".cashier-tile").first.wait_for()
        _look(page, folder, "01a-cashiers", problems)
        _click(page, f'.cashier-tile[data-arg="{ANI}"]')
        _look(page, folder, "01b-pin", problems)
        log_in(page, ANI, CASHIER_ANI[2])
        page.locator("#open-day-submit").wait_for()
        _look(page, folder, "01c-open-day", problems)
        page = open_till(context, None, page=page)
        _look(page, folder, "02-sell-empty", problems)
        for product in products[:6]:
            add_by_scan(page, product["barcode"])
        walk: list[tuple[str, Callable[[], None], str]] = [
            ("03-sell", lambda: None),
            ("04-line-editor", lambda: _click(page, "#cart-lines .line button.edit")),
            ("04a-numpad", lambda: (_key(page, "Escape"), _click(page, "#cart-lines .line-name"))),
            # A form or a question is answered before anything else (on a phone it takes the
            # cart's room): its own controls must fit.
            (
                "05-order-discount",
                lambda: (_key(page, "Escape"), _click(page, "#order-discount")),
                "#order-discount-form",
            ),
            ("06-void-question", lambda: (_key(page, "Escape"), _click(page, "#void")), ".confirm"),
            (
                "07-sync-panel",
                lambda: (_key(page, "Escape"), _click(page, "#sync-panel summary")),
                "#sync-panel",
            ),
            (
                "08-settings",
                lambda: (_key(page, "Escape"), _click(page, "#settings summary")),
                "#settings",
            ),
            ("09-keys-help", lambda: (_key(page, "Escape"), _key(page, "F1")), "#help"),
            ("09a-customers", lambda: (_key(page, "Escape"), _click(page, "#customer"))),
            ("09b-customer-form", lambda: _click(page, "#customer-new")),
            ("09c-park", lambda: (_key(page, "Escape"), _click(page, "#park")), ".confirm"),
            ("09d-day", lambda: (_key(page, "Escape"), _click(page, "#day-button"))),
            ("09e-close-day", lambda: _click(page, "#close-day")),
            ("10-pay", lambda: (_click(page, "#back"), _click(page, "#pay"))),
        ]
        for name, step, *scope in walk:
            step()
            _look(page, folder, name, problems, *scope)
        page.locator("#tendered").press_sequentially("1000", delay=120)
        page.locator("#tendered").press("Enter")
        _look(page, folder, "11-pay-part", problems)
        _click(page, '[data-action="pay-exact"]')
        _click(page, "#validate")
        _look(page, folder, "12-receipt", problems)
        _click(page, '[data-action="new-sale"]')
        _click(page, "#orders")
        _look(page, folder, "13-orders", problems)
        _click(page, '[data-action="refund"]')
        _look(page, folder, "14-refund", problems)
        _click(page, '[data-action="refund-all"]')
        _look(page, folder, "15-manager-pin", problems, "#manager-pin-form")  # Ani may not refund
        page.keyboard.type(CASHIER_BUDI[2], delay=120)
        _key(page, "Enter")
        _look(page, folder, "15a-refund-pay", problems)
        _click(page, "#back")
        _click(page, "#void")
        page.keyboard.press("Enter")
        settle(page)
        add_by_scan(page, products[0]["barcode"])
        park(page, "Bu Rina")
        _click(page, "#parked")
        _look(page, folder, "16-parked", problems)
    assert not problems, "\n".join(problems)
