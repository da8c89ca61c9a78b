"""A new version of the app waits while a sale is open and takes over between sales."""

from __future__ import annotations

import re
import shutil

import pytest
from processes import ROOT, add_terminal, start_relay, wait_for

from .helpers import (
    add_by_tap,
    browser_profile,
    evaluate_across_reload,
    open_till,
    pay_cash_and_validate,
    settle,
)

pytestmark = pytest.mark.browser

# The versioned caches (the API answers, the catalogs, the product pictures and the snapshot of the
# booted till have caches that outlive a version).
OUTLIVING = "['kasir-api', 'kasir-i18n', 'kasir-images', 'kasir-snapshot']"
CACHES = (
    "caches.keys().then((keys) => keys.filter("
    f"(k) => k.startsWith('kasir-') && !{OUTLIVING}.includes(k)))"
)


def publish_new_version(dist) -> str:
    """What a deploy does to the service worker: new build version, new cache name."""
    sw = dist / "sw.js"
    text = sw.read_text()
    old = re.search(r'const VERSION = "([0-9a-f]+)"', text).group(1)
    new = "0" * (len(old) - 1) + "1" if old != "0" * (len(old) - 1) + "1" else "f" * len(old)
    sw.write_text(text.replace(old, new))
    return new


def test_new_version_waits_for_the_open_sale(tmp_path, sandbox, products):
    dist = tmp_path / "dist"
    shutil.copytree(ROOT / "dist", dist)
    (tmp_path / "relay").mkdir()
    relay = start_relay(tmp_path / "relay", sandbox.url, dist=dist)
    try:
        code = add_terminal(relay, "kasir-1")
        with browser_profile(tmp_path / "profile") as context:
            page = open_till(context, f"{relay.url}/?pair={code}", service_worker=True)
            page.evaluate("window.oldPage = true")
            (old_cache,) = page.evaluate(CACHES)

            add_by_tap(page, products[0]["id"])
            new_version = publish_new_version(dist)
            page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
            wait_for(
                lambda: page.evaluate(
                    "navigator.serviceWorker.getRegistration().then((r) => Boolean(r.waiting))"
                ),
                "the new version to be installed and waiting",
            )
            # Mid-sale: the old version keeps control and the cart is untouched.
            settle(page)
            assert page.evaluate("window.oldPage") is True
            assert page.locator("#cart-lines .line").count() == 1

            pay_cash_and_validate(page)
            # Between sales the new version takes over (the page reloads into it).
            wait_for(
                lambda: evaluate_across_reload(page, CACHES) == [f"kasir-{new_version}"],
                "the new version's cache to replace the old one",
            )
            assert old_cache != f"kasir-{new_version}"
            wait_for(
                lambda: page.evaluate(
                    "window.oldPage === undefined && window.kasirReadyAt !== undefined"
                ),
                "the page to reload into the new version",
            )
            page = open_till(context, None, page=page)
            assert page.locator("#cart-lines .line").count() == 0
    finally:
        relay.stop()
