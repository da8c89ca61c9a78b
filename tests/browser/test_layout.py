"""Portrait tablet and phone: nothing cut off, nothing scrolls sideways, targets a finger can hit,
remove buttons apart from harmless ones, and the message over the screen near the cart."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import add_by_scan, browser_profile, open_till, settle

pytestmark = pytest.mark.browser

SIZES = ({"width": 390, "height": 844}, {"width": 800, "height": 1280})
TOUCH_PX = 44
DANGER_GAP_PX = 8
CONTROLS = "#app button, #app input:not([type=hidden]), #app select, #app summary"

# Every control a finger can reach now (shown, not scrolled or clipped away, not covered), with
# its box and whether it removes something.
BOXES = """(selector) => [...document.querySelectorAll(selector)]
    .filter((el) => {
        if (!el.checkVisibility({visibilityProperty: true})) return false;
        const r = el.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return hit !== null && (hit === el || el.contains(hit));
    })
    .map((el) => {
        const r = el.getBoundingClientRect();
        // What a finger can reach is the part its scrolling panes leave in view.
        let [left, top, right, bottom] = [r.left, r.top, r.right, r.bottom];
        for (let up = el.parentElement; up; up = up.parentElement) {
            const style = getComputedStyle(up);
            if (style.overflowX === "visible" && style.overflowY === "visible") continue;
            const box = up.getBoundingClientRect();  // it clips at its padding edge
            const [x, y] = [box.left + up.clientLeft, box.top + up.clientTop];
            left = Math.max(left, x); top = Math.max(top, y);
            right = Math.min(right, x + up.clientWidth); bottom = Math.min(bottom, y + up.clientHeight);
        }
        return {what: el.id || el.dataset.action || el.className || el.tagName,
                danger: el.classList.contains("danger"),
                x: left, y: top, right: right, bottom: bottom,
                width: r.width, height: r.height};
    })"""


def _boxes(page) -> list[dict[str, Any]]:
    return page.evaluate(BOXES, CONTROLS)


def _gap(a: dict[str, Any], b: dict[str, Any]) -> float:
    """The distance between two boxes (0 when they touch or overlap)."""
    dx = max(b["x"] - a["right"], a["x"] - b["right"], 0)
    dy = max(b["y"] - a["bottom"], a["y"] - b["bottom"], 0)
    return max(dx, dy) if not (dx and dy) else (dx**2 + dy**2) ** 0.5


def _check_controls(page, where: str, problems: list[str]) -> None:
    """Touch targets, gaps next to remove buttons and sideways scrolling on the screen as it is."""
    boxes = _boxes(page)
    for box in boxes:
        if box["width"] < TOUCH_PX or box["height"] < TOUCH_PX:
            problems.append(f"{where}: {box['what']} is {box['width']:.0f}x{box['height']:.0f} px")
    for danger in (b for b in boxes if b["danger"]):
        for other in boxes:
            if other is danger or other["danger"]:
                continue
            gap = _gap(danger, other)
            if gap < DANGER_GAP_PX:
                problems.append(f"{where}: {danger['what']} is {gap:.1f} px from {other['what']}")
    wide = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    if wide > 0:
        problems.append(f"{where}: the page scrolls {wide} px sideways")


def _in_view(page, selector: str, size: dict[str, int]) -> bool:
    """Scrolled into view, is the element wholly inside the viewport and not covered?"""
    element = page.locator(selector)
    element.scroll_into_view_if_needed()
    box = element.bounding_box()
    inside = (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"]
        and box["y"] + box["height"] <= size["height"]
    )
    return inside and element.evaluate(
        """(el) => {
            const r = el.getBoundingClientRect();
            const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return hit !== null && (hit === el || el.contains(hit));
        }"""
    )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s['width']}x{s['height']}")
def test_small_screens(tmp_path, relay, pairing_code, products, size):
    problems: list[str] = []
    where = f"{size['width']}x{size['height']}"
    with browser_profile(tmp_path / "profile", viewport=size) as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}")
        for product in products[:4]:
            add_by_scan(page, product["barcode"])
        _check_controls(page, f"{where} sell", problems)

        # The message overlays the screen next to the cart; nothing moves.
        scan_box = page.locator("#scan").bounding_box()
        page.locator("#scan").fill("0000000000")
        page.locator("#scan").press("Enter")
        settle(page)
        flash = page.locator("#flash.flash-error").bounding_box()
        cart = page.locator(".cart").bounding_box()
        assert page.locator("#scan").bounding_box() == scan_box, "the message pushed the screen"
        beside = flash["x"] >= cart["x"] - 1 and flash["y"] < cart["y"] + cart["height"] / 2
        above = 0 <= cart["y"] - (flash["y"] + flash["height"]) <= 24
        assert beside or above, f"the message {flash} is not near the cart {cart}"

        # The line editor of the last line: every field and Apply can be brought into view.
        page.locator("#cart-lines .line button.edit").last.click()
        settle(page)
        for field in ("#line-price", "#line-discount", "#line-reason", "#line-apply"):
            assert _in_view(page, field, size), f"{where}: {field} is cut off"
        _check_controls(page, f"{where} line editor", problems)
        page.keyboard.press("Escape")
        settle(page)

        # Paying: a part payment (with its remove button), then Validate within thumb reach.
        page.locator("#pay").click()
        settle(page)
        page.locator("#tendered").press_sequentially("1000", delay=120)
        page.locator("#tendered").press("Enter")
        settle(page)
        assert page.locator("#payments .payment").count() == 1
        _check_controls(page, f"{where} pay", problems)
        validate = page.locator("#validate").bounding_box()
        assert validate["y"] + validate["height"] <= size["height"]
        assert validate["y"] >= size["height"] * 0.6, f"{where}: Validate is out of thumb reach"
    assert not problems, "\n".join(problems)
