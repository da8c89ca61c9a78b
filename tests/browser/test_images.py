"""Product pictures in real Chromium: a tile shows its product's picture, fetched by the service
worker with the terminal's token; offline, after a reload, it still shows from the worker's
cache; a product without one takes its category's colour."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from kasir.sandbox.demo import AISLES, IMAGE_SIZE, PICTURED

from .helpers import browser_profile, open_till

pytestmark = pytest.mark.browser

CSS = Path(__file__).resolve().parents[2] / "pwa" / "static" / "css" / "till.css"
WITHOUT_IMAGE = 5  # a Makanan product without a picture, in the first grid
MAKANAN = AISLES[0]


def tint(color: int) -> str:
    """The background till.css gives palette colour `color`, as getComputedStyle writes it."""
    found = re.search(rf"\.c{color} \{{ --tile-bg: #(\w\w)(\w\w)(\w\w);", CSS.read_text())
    assert found, color
    red, green, blue = (int(part, 16) for part in found.groups())
    return f"rgb({red}, {green}, {blue})"


def picture_width(page, product_id: int) -> int:
    """The natural width of a tile's picture once it has loaded (0: broken or none)."""
    selector = f'.tile[data-product-id="{product_id}"] img'
    page.wait_for_function(
        "s => { const img = document.querySelector(s); return img && img.complete; }",
        arg=selector,
        timeout=20_000,
    )
    return page.eval_on_selector(selector, "img => img.naturalWidth")


def test_tiles_show_pictures_online_and_offline_and_colours_otherwise(
    tmp_path, relay, pairing_code
) -> None:
    with browser_profile(tmp_path / "profile") as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}", service_worker=True)
        page.reload()  # the first paint came before the worker took the page over
        page = open_till(context, None, page=page, service_worker=True)
        failed: list[str] = []  # a picture that failed to load, or a page error
        page.on(
            "console",
            lambda m: (
                failed.append(m.text)
                if m.type == "error" and "/images/" in m.location.get("url", "")
                else None
            ),
        )
        page.on("pageerror", lambda error: failed.append(str(error)))

        for product_id in PICTURED:
            assert picture_width(page, product_id) == IMAGE_SIZE
        kept = page.evaluate(
            """async () => (await (await caches.open("kasir-images")).keys()).map(r => r.url)"""
        )
        assert sorted(re.sub(r".*/images/(\d+)\?v=\d+$", r"\1", url) for url in kept) == sorted(
            str(i) for i in PICTURED
        )

        plain = page.locator(f'.tile[data-product-id="{WITHOUT_IMAGE}"]')
        assert plain.locator("img").count() == 0
        colour = plain.evaluate("tile => getComputedStyle(tile).backgroundColor")
        assert colour == tint(MAKANAN.color)
        pictured = page.locator(f'.tile[data-product-id="{min(PICTURED)}"]')
        assert pictured.evaluate("tile => getComputedStyle(tile).backgroundColor") == colour

        context.set_offline(True)
        page.reload()
        page = open_till(context, None, page=page)
        for product_id in PICTURED:
            assert picture_width(page, product_id) == IMAGE_SIZE
        assert failed == []
