"""Product tiles: a product's picture when the relay has one, else its POS category's colour (Odoo's
palette), else the plain tile; the catalog record names only the picture's version."""

from __future__ import annotations

import copy
import re
from pathlib import Path

from register.catalog import Catalog, Product
from register.shop import Shop
from test_till import BOOTSTRAP, FakeDevice, dom, product, started

CSS = Path(__file__).resolve().parents[2] / "pwa" / "static" / "css" / "till.css"

PICTURED = {
    **product(201, "Kopi Kapal Api 165 g", "14500", None, "MNM-0201", 1),
    "image": "20261130024447",
}
PLAIN = product(202, "Teh Pucuk Harum 350 ml", "3800", None, "MNM-0202", 2)
UNCOLOURED = product(203, "Gudang Garam Filter", "26500", None, "RKK-0001", 3)
NO_CATEGORY = product(204, "Kantong plastik", "500", None, None, None)  # type: ignore[arg-type]


def till_with_colours():
    bootstrap = copy.deepcopy(BOOTSTRAP)
    bootstrap["categories"] = [
        {"id": 1, "name": "Makanan", "parent_id": None, "color": 2},
        {"id": 2, "name": "Minuman", "parent_id": None, "color": 11},
        {"id": 3, "name": "Rokok", "parent_id": None, "color": 0},
    ]
    device = FakeDevice(bootstrap=bootstrap, catalog=[PICTURED, PLAIN, UNCOLOURED, NO_CATEGORY])
    return started(device)


def tiles(page) -> dict[str, object]:
    return {node.attrs["data-product-id"]: node for node in page.find_all("button", cls="tile")}


def test_a_pictured_product_shows_its_picture_in_a_fixed_box_on_its_colour() -> None:
    tile = tiles(dom(till_with_colours()))["201"]
    assert tile.attrs["class"].split() == ["tile", "c2"]
    [img] = tile.find_all("img")
    assert img.attrs["src"] == "/api/v1/images/201?v=20261130024447"
    assert (img.attrs["width"], img.attrs["height"]) == ("128", "128")
    assert img.attrs["alt"] == ""  # the name is the tile's text; a missing picture shows nothing
    assert (img.attrs["loading"], img.attrs["decoding"]) == ("lazy", "async")
    assert "Kopi Kapal Api" in tile.text


def test_a_product_without_picture_takes_its_category_colour_or_none() -> None:
    found = tiles(dom(till_with_colours()))
    assert found["202"].attrs["class"].split() == ["tile", "c11"]
    assert found["203"].attrs["class"].split() == ["tile"]  # colour 0: none, as in Odoo
    assert found["204"].attrs["class"].split() == ["tile"]  # no POS category
    assert not any(found[i].find_all("img") for i in ("202", "203", "204"))


def test_a_version_is_escaped_into_the_url() -> None:
    odd = {**PICTURED, "id": 205, "image": '1"><script>'}
    till = started(FakeDevice(catalog=[odd]))
    html = till.render()
    assert "<script>" not in html and "/api/v1/images/205?v=1&quot;&gt;&lt;script&gt;" in html


def test_colours_outside_odoos_palette_are_none() -> None:
    bootstrap = copy.deepcopy(BOOTSTRAP)
    bootstrap["categories"] = [
        {"id": 1, "name": "A", "color": 12},
        {"id": 2, "name": "B", "color": -1},
        {"id": 3, "name": "C", "color": "3"},
        {"id": 4, "name": "D"},
        {"id": 5, "name": "E", "color": 7},
    ]
    assert Shop.from_bootstrap(bootstrap).category_colors == {5: 7}


def test_every_palette_colour_has_a_tint_and_ink_with_contrast() -> None:
    """Colours 1 to 11 each have their class, and the tile's text on it reads at 7:1 or more."""
    css = CSS.read_text()
    found = dict(
        (int(n), (bg, ink))
        for n, bg, ink in re.findall(
            r"\.c(\d+) \{ --tile-bg: (#[0-9a-f]{6}); --tile-ink: (#[0-9a-f]{6}); \}", css
        )
    )
    assert sorted(found) == list(range(1, 12))

    def luminance(colour: str) -> float:
        def channel(value: int) -> float:
            c = value / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)

    for bg, ink in found.values():
        light, dark = sorted((luminance(bg), luminance(ink)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 7, (bg, ink)


def test_the_catalog_keeps_the_version_and_a_product_without_has_none() -> None:
    catalog = Catalog()
    catalog.apply([PICTURED, PLAIN])
    assert catalog.get(201).image == "20261130024447"
    assert catalog.get(202).image is None
    assert Product.from_record({**PLAIN, "image": ""}).image is None
