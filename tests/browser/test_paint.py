"""A repaint sends only what changed: lines and tiles the page shows come as empty stand-ins the
page keeps its own for (till/views.py Page, static/js/morph.js). A page that lacks one gets the
whole screen, and shows the right sale either way."""

from __future__ import annotations

import pytest

from .helpers import add_by_scan, browser_profile, open_till, settle

pytestmark = pytest.mark.browser

LINES = """() => [...document.querySelectorAll("#cart-lines > li")].map((li) => ({
  name: li.querySelector(".line-name")?.textContent ?? null,
  qty: li.querySelector("input.qty")?.value ?? null,
  kept: li.hasAttribute("data-kept"),
}))"""
STAND_INS = "document.querySelectorAll('#app [data-kept]').length"


def test_a_scan_repaints_the_sale_from_stand_ins_and_a_missing_line_brings_the_whole_screen(
    tmp_path, relay, pairing_code, products
):
    first, second, third = products[:3]
    with browser_profile(tmp_path / "profile") as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}")
        wholes: list[str] = []  # what boot.js says when it repaints from the whole screen
        page.on("console", lambda m: "whole screen" in m.text and wholes.append(m.text))
        # What the till sends at each scan, as boot.js gets it.
        page.evaluate(
            """() => { window.sent = [];
                 const set = Object.getOwnPropertyDescriptor(Element.prototype, "innerHTML").set;
                 Object.defineProperty(HTMLTemplateElement.prototype, "innerHTML", {
                   set(html) { window.sent.push(html); set.call(this, html); } });
               }"""
        )
        for product in (first, second, third, first):
            add_by_scan(page, product["barcode"])
        assert page.evaluate(LINES) == [
            {"name": first["name"], "qty": "2", "kept": False},
            {"name": second["name"], "qty": "1", "kept": False},
            {"name": third["name"], "qty": "1", "kept": False},
        ]
        # The last scan sent the second line as a stand-in: the page kept the one it had.
        last = page.evaluate("window.sent.at(-1)")
        assert last.count("data-kept") >= 1
        assert second["name"] not in last and first["name"] in last
        assert wholes == []
        assert page.evaluate(STAND_INS) == 0

        # The keys' help opens around the screen and closes: the tiles come back whole.
        for key in ("F1", "Escape"):
            page.keyboard.press(key)
            settle(page)
            assert page.evaluate(STAND_INS) == 0
        assert page.locator("#grid .tile .tile-name").count() == len(
            page.locator("#grid > *").all()
        )
        assert page.evaluate(LINES)[0]["qty"] == "2"

        # The page loses a line the till thinks it shows: the next repaint is the whole screen.
        before = len(wholes)
        page.evaluate("document.querySelectorAll('#cart-lines > li')[1].remove()")
        add_by_scan(page, third["barcode"])
        settle(page)
        assert page.evaluate(LINES) == [
            {"name": first["name"], "qty": "2", "kept": False},
            {"name": second["name"], "qty": "1", "kept": False},
            {"name": third["name"], "qty": "2", "kept": False},
        ]
        assert len(wholes) > before
        assert page.evaluate(STAND_INS) == 0
        assert "data-kept" not in page.evaluate("window.sent.at(-1)")
