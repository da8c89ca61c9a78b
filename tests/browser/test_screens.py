"""Every screen of the till at a landscape tablet, a portrait tablet and a phone: a screenshot of
each (written under the folder `make test` prints at its end) and no control cut off.

"Cut off" means a control a cashier cannot bring wholly into view: scrolled as far as the page and its
scrolling panes allow, some of it stays outside the viewport or under another element.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from .helpers import add_by_scan, browser_profile, open_till, settle

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
def test_every_screen(tmp_path, relay, pairing_code, products, size):
    folder = SCREENS_DIR / f"{size['width']}x{size['height']}"
    folder.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with browser_profile(tmp_path / "profile", viewport=size) as context:
        page = context.new_page()
        page.goto(relay.url)
        page.locator("#pair-code").wait_for()
        _look(page, folder, "01-pair", problems)
        page = open_till(context, f"{relay.url}/?pair={pairing_code}", page=page)
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
            ("10-pay", lambda: (_key(page, "Escape"), _click(page, "#pay"))),
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
        _look(page, folder, "15-refund-pay", problems)
    assert not problems, "\n".join(problems)
