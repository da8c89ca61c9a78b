"""Product images and category colours: the mirror copies Odoo's image_128 apart from the catalog,
the relay serves it to terminals by version, and the sandbox answers as Odoo 18 did
(tests/fixtures/odoo18/images_*.json)."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from kasir import odoo_mapping as mapping
from kasir.images import ImageStore, media_type
from kasir.sandbox.demo import AISLES, PICTURED, demo_image
from processes import KasirProcess, TerminalClient, odoo_call

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "odoo18"
PNG = b"\x89PNG\r\n\x1a\n"
WITHOUT_IMAGE = 5  # a demo product with none


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def catalog(terminal: TerminalClient) -> dict[int, dict[str, Any]]:
    """Every product record the relay serves, by id (the latest of each)."""
    records: dict[int, dict[str, Any]] = {}
    since = ""
    while True:
        answer = terminal.get("/api/v1/catalog", params={"since": since, "limit": 5000}).json()
        records.update({record["id"]: record for record in answer["items"]})
        since = answer["cursor"]
        if not answer["more"]:
            return records


def wait_image(terminal: TerminalClient, product_id: int, test: Any, timeout: float = 20) -> Any:
    """The product's catalog record once `test(record, answer of GET image?v=)` holds."""
    deadline = time.monotonic() + timeout
    while True:
        record = catalog(terminal).get(product_id, {})
        version = record.get("image")
        answer = terminal.get(f"/api/v1/images/{product_id}", params={"v": version or ""})
        if test(record, answer):
            return record, answer
        if time.monotonic() > deadline:
            raise AssertionError(f"{record} {answer.status_code} {answer.text[:200]}")
        time.sleep(0.1)


def served(record: dict[str, Any], answer: httpx.Response) -> bool:
    return bool(record.get("image")) and answer.status_code == 200


def gone(answer: httpx.Response) -> bool:
    return answer.status_code == 404 and answer.json()["error"]["code"] == "no_image"


def odoo_image(sandbox: KasirProcess, product_id: int) -> bytes:
    [row] = odoo_call(
        sandbox.url, "product.product", "read", [[product_id]], {"fields": ["image_128"]}
    )
    return base64.b64decode(row["image_128"])


def set_image(sandbox: KasirProcess, product_id: int, image: str | bool) -> None:
    command = {"action": "set_image", "id": product_id, "image_128": image}
    httpx.post(f"{sandbox.url}/sandbox/control", json=command, timeout=5).raise_for_status()


# -- the relay serves them ------------------------------------------------------------------------


def test_an_image_is_served_by_its_version_and_kept_for_good(
    sandbox: KasirProcess, terminal: TerminalClient
) -> None:
    record, answer = wait_image(terminal, 1, served)
    assert answer.content == odoo_image(sandbox, 1)
    assert answer.headers["content-type"] == "image/png"
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert answer.headers["x-content-type-options"] == "nosniff"
    etag = answer.headers["etag"]
    again = terminal.get("/api/v1/images/1", params={"v": record["image"]},
                         headers={"If-None-Match": etag})  # fmt: skip
    assert again.status_code == 304 and not again.content
    current = terminal.get("/api/v1/images/1")  # no version: the current one, revalidated
    assert current.status_code == 200 and current.headers["cache-control"] == "no-cache"
    assert current.content == answer.content and current.headers["etag"] == etag


def test_only_pictured_products_name_an_image_and_categories_have_colours(
    terminal: TerminalClient,
) -> None:
    wait_image(terminal, 1, served)
    products = catalog(terminal)
    assert {pid for pid, record in products.items() if record.get("image")} == set(PICTURED)
    assert "image" not in products[WITHOUT_IMAGE]
    bootstrap = terminal.get("/api/v1/bootstrap").json()
    colours = {c["id"]: c["color"] for c in bootstrap["categories"]}
    assert colours == {aisle.pos_categ_id: aisle.color for aisle in AISLES}
    assert all("color" not in c for c in bootstrap["product_categories"])


def test_images_need_the_terminals_token(terminal: TerminalClient) -> None:
    record, _ = wait_image(terminal, 1, served)
    for headers in ({}, {"Authorization": "Bearer stolen"}):
        answer = httpx.get(
            f"{terminal.relay.url}/api/v1/images/1", params={"v": record["image"]}, headers=headers
        )
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(
    ("path", "code"),
    [
        (f"/api/v1/images/{WITHOUT_IMAGE}", "no_image"),
        ("/api/v1/images/999999", "no_image"),
        ("/api/v1/images/1?v=19990101000000", "other_version"),
        ("/api/v1/images/abc", "not_found"),
        ("/api/v1/images/-1", "not_found"),
    ],
)
def test_no_image_is_a_json_404_never_kept(terminal: TerminalClient, path: str, code: str) -> None:
    wait_image(terminal, 1, served)
    answer = terminal.get(path)
    assert answer.status_code == 404
    assert answer.headers["cache-control"] == "no-store"
    assert answer.json()["error"]["code"] == code and answer.json()["error"]["message"]


def test_a_new_image_gets_a_new_version_and_a_removed_one_goes(
    sandbox: KasirProcess, terminal: TerminalClient
) -> None:
    old, first = wait_image(terminal, 2, served)
    time.sleep(1.1)  # Odoo's write_date has whole seconds
    set_image(sandbox, 2, demo_image((10, 10, 10)))
    _, answer = wait_image(terminal, 2, lambda r, a: served(r, a) and r["image"] != old["image"])
    assert answer.content == odoo_image(sandbox, 2) != first.content
    stale = terminal.get("/api/v1/images/2", params={"v": old["image"]})
    assert stale.status_code == 404 and stale.json()["error"]["code"] == "other_version"
    set_image(sandbox, 2, False)
    wait_image(terminal, 2, lambda r, a: "image" not in r and gone(a))


def test_what_is_not_a_small_image_is_not_kept(
    sandbox: KasirProcess, terminal: TerminalClient
) -> None:
    """An SVG (it may hold scripts) or a picture too big is never served; the tile keeps its
    category's colour."""
    svg = base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>').decode()
    # Odoo's write_date has whole seconds: set in the second the demo's pictures were, a new image
    # would keep the old one's version, and the relay would rightly go on serving that one.
    time.sleep(1.1)
    set_image(sandbox, 3, svg)
    set_image(sandbox, 4, base64.b64encode(PNG + bytes(300 * 1024)).decode())
    for product_id in (3, 4):  # the catalog names it; the relay has none to serve
        wait_image(terminal, product_id, lambda r, a: bool(r.get("image")) and gone(a))
    assert "is not kept" in terminal.relay.log()


# -- the store ----------------------------------------------------------------------------------


def test_the_store_keeps_one_version_per_product(tmp_path: Path) -> None:
    store = ImageStore(tmp_path / "images")
    assert store.version(7) is None
    store.put(7, "20261130024447", PNG + b"old")
    store.put(7, "20261130024510", PNG + b"new")
    assert store.version(7) == "20261130024510"
    assert store.path(7, "20261130024510").read_bytes() == PNG + b"new"
    assert sorted(p.name for p in (tmp_path / "images" / "7").iterdir()) == ["20261130024510"]
    with pytest.raises(ValueError, match="version"):
        store.put(7, "../x", PNG)
    store.remove(7)
    assert store.version(7) is None


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PNG + b"rest", "image/png"),
        (b"\xff\xd8\xff\xe0rest", "image/jpeg"),
        (b"GIF89arest", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", None),
        (b"", None),
    ],
)
def test_only_raster_images_pass(data: bytes, kind: str | None) -> None:
    assert media_type(data) == kind


def test_a_version_is_odoos_write_date() -> None:
    assert mapping.image_version("2026-11-30 02:44:47") == "20261130024447"
    row = {"id": 3, "name": "Kopi", "write_date": "2026-11-30 02:44:47", "active": True}
    assert mapping.product_to_record(row, {}, has_image=True)["image"] == "20261130024447"
    assert "image" not in mapping.product_to_record(row, {})


# -- the sandbox answers as Odoo 18 did ---------------------------------------------------------


def sandbox_answer(sandbox: KasirProcess, recorded: dict[str, Any], args: list[Any]) -> Any:
    call = recorded["call"]
    return odoo_call(sandbox.url, call["model"], call["method"], args, call["kwargs"])


def test_pos_category_colour_like_odoo(sandbox: KasirProcess) -> None:
    recorded = load("images_fields_get_pos_category.json")
    ours = sandbox_answer(sandbox, recorded, recorded["call"]["args"])
    assert ours["color"] == recorded["answer"]["color"] == {"type": "integer"}
    recorded = load("images_search_read_pos_category.json")
    ours = sandbox_answer(sandbox, recorded, [[]])
    odoo_row = recorded["answer"][0]
    assert all(set(row) == set(odoo_row) for row in ours)
    assert all(isinstance(row["color"], int) and 0 <= row["color"] <= 11 for row in ours)
    # a category without a colour is 0, as in Odoo
    assert 0 in {row["color"] for row in recorded["answer"]} & {row["color"] for row in ours}
    assert [mapping.category_record(row)["color"] for row in recorded["answer"]] == [3, 8, 0, 3]


def test_image_fields_like_odoo(sandbox: KasirProcess) -> None:
    recorded = load("images_fields_get_product_product.json")
    ours = odoo_call(sandbox.url, "product.product", "fields_get", recorded["call"]["args"],
                     {"attributes": ["type"]})  # fmt: skip
    assert {f: v["type"] for f, v in ours.items()} == {
        f: v["type"] for f, v in recorded["answer"].items()
    }


def test_the_mirrors_image_search_like_odoo(sandbox: KasirProcess) -> None:
    """Odoo answered the products of the chunk that have an image (3 and 5 of 3, 4, 5)."""
    recorded = load("images_search_product_product.json")
    domain = recorded["call"]["args"][0]
    assert domain[1:] == mapping.HAS_IMAGE
    assert recorded["answer"] == [3, 5]
    ours = sandbox_answer(sandbox, recorded, [[["id", "in", [1, 2, 5, 6]], *mapping.HAS_IMAGE]])
    assert ours == [1, 2]


@pytest.mark.parametrize(
    "name",
    ["images_search_read_product_product.json", "images_search_read_product_product_changed.json"],
)
def test_the_mirrors_image_read_like_odoo(sandbox: KasirProcess, name: str) -> None:
    recorded = load(name)
    assert recorded["call"]["kwargs"]["fields"] == mapping.PRODUCT_IMAGE_FIELDS
    ours = sandbox_answer(sandbox, recorded, [[["id", "in", [1, WITHOUT_IMAGE]]]])
    for odoo_row, our_row in zip(recorded["answer"][:2], ours, strict=True):
        assert set(our_row) == set(odoo_row)
        assert bool(our_row["image_128"]) == bool(odoo_row["image_128"])
        assert len(our_row["write_date"]) == len(odoo_row["write_date"]) == 19
    for row in (recorded["answer"][0], ours[0]):
        assert base64.b64decode(row["image_128"]).startswith(PNG)


def test_a_new_image_moves_odoos_write_date() -> None:
    before = load("images_search_read_product_product.json")["answer"]
    after = load("images_search_read_product_product_changed.json")["answer"]
    assert after[0]["image_128"] != before[0]["image_128"]
    assert mapping.image_version(after[0]["write_date"]) > mapping.image_version(
        before[0]["write_date"]
    )
    assert after[1:] == before[1:]
