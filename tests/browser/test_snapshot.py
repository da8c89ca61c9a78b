"""The till starts from a memory snapshot of its booted interpreter (static/js/snapshot.js).

The first start of a build takes the snapshot and keeps it in Cache Storage; an offline reload
restores it instead of starting Python, and the till sells. A kept snapshot that is damaged, made by
another build or refused by Pyodide is dropped: the till starts the long way, sells, and keeps a
new snapshot in its place.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from .helpers import add_by_scan, browser_profile, open_till, pay_cash_and_validate, stored

pytestmark = pytest.mark.browser

KEPT_MS = 60_000
STATUS = "window.kasirSnapshot"

# What the device keeps: [url, hash header, hash of the bytes].
KEPT = """async () => {
  const cache = await caches.open("kasir-snapshot");
  const hex = async (bytes) => Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)),
    (b) => b.toString(16).padStart(2, "0")).join("");
  return Promise.all((await cache.keys()).map(async (request) => {
    const response = await cache.match(request);
    return [request.url, response.headers.get("X-Kasir-Sha256"), await hex(await response.arrayBuffer())];
  }));
}"""

# Damage the kept snapshot one way: its bytes (the hash no longer matches), its key (another
# build's), or its Pyodide build id with a hash made to match (only Pyodide can tell).
DAMAGE = """async (how) => {
  const cache = await caches.open("kasir-snapshot");
  const [request] = await cache.keys();
  const response = await cache.match(request);
  const bytes = new Uint8Array(await response.arrayBuffer());
  let hash = response.headers.get("X-Kasir-Sha256");
  let url = request.url;
  if (how === "bytes") bytes[bytes.length >> 1] ^= 0xff;
  if (how === "build") url = url.replace("/snapshot/", "/snapshot/0");
  if (how === "pyodide") {
    // The first byte of the build id Pyodide compares with its own: 16 bytes into the memory,
    // which is kept past [length, extent count] and an [offset, length] per extent.
    const extents = new DataView(bytes.buffer).getUint32(4, true);
    bytes[8 + extents * 8 + 16] ^= 0xff;
    hash = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)),
      (b) => b.toString(16).padStart(2, "0")).join("");
  }
  const headers = new Headers(response.headers);
  headers.set("X-Kasir-Sha256", hash);
  await cache.delete(request);
  await cache.put(url, new Response(bytes, { headers }));
}"""


def first_start(page: Page) -> None:
    """The first start of this build made a snapshot and kept it."""
    status = page.evaluate(STATUS)
    assert status["restored"] is False and status["made"] is True, status
    page.wait_for_function(f"{STATUS}.kept", timeout=KEPT_MS)
    [(url, header, digest)] = page.evaluate(KEPT)
    assert "/snapshot/" in url and header == digest


def sell_one(page: Page, barcode: str) -> None:
    before = stored(page, "orders", count=True)
    add_by_scan(page, barcode)
    pay_cash_and_validate(page)
    assert stored(page, "orders", count=True) == before + 1


def test_an_offline_reload_restores_the_snapshot_and_sells(tmp_path, relay, pairing_code, products):
    with browser_profile(tmp_path / "profile") as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}", service_worker=True)
        first_start(page)

        relay.kill()
        context.set_offline(True)
        for _ in range(2):  # and again: a restored till keeps the snapshot it came from
            page.reload()
            page = open_till(context, None, page=page)
            status = page.evaluate(STATUS)
            # Read and hashed by its worker, off the page's thread.
            assert status == {
                "restored": True,
                "dropped": None,
                "readAside": True,
                "made": False,
                "kept": False,
            }
            sell_one(page, products[0]["barcode"])
        assert len(page.evaluate(KEPT)) == 1


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        ("bytes", "its hash does not match"),
        ("build", "made by another build"),
        ("pyodide", "Pyodide refused it"),
    ],
)
def test_a_bad_snapshot_is_dropped_and_the_till_still_starts(
    tmp_path, relay, pairing_code, products, how, reason
):
    with browser_profile(tmp_path / "profile") as context:
        page = open_till(context, f"{relay.url}/?pair={pairing_code}", service_worker=True)
        first_start(page)
        [(good_url, _, _)] = page.evaluate(KEPT)
        page.evaluate(DAMAGE, how)

        page.reload()
        page = open_till(context, None, page=page)
        status = page.evaluate(STATUS)
        assert status["restored"] is False and reason in status["dropped"], status
        sell_one(page, products[0]["barcode"])
        # The long way took a new snapshot; it replaced the bad one, and the next start uses it.
        page.wait_for_function(f"{STATUS}.kept", timeout=KEPT_MS)
        [(url, header, digest)] = page.evaluate(KEPT)
        assert url == good_url and header == digest

        page.reload()
        page = open_till(context, None, page=page)
        assert page.evaluate(f"{STATUS}.restored") is True
