"""A first install on a fresh profile downloads at most 6 MB (the relay sends the build's Brotli
copies, the browser gets only the stdlib the till can import, and the service worker takes what
the page already fetched from the HTTP cache instead of downloading it again); then, with the
relay gone and the browser offline, the till still starts and sells."""

from __future__ import annotations

import pytest

from .first_install import BUDGET, first_install
from .helpers import add_by_scan, browser_profile, open_till, pay_cash_and_validate, pending_count

pytestmark = pytest.mark.browser


def test_a_first_install_fits_the_budget_and_then_starts_offline(
    tmp_path, relay, pairing_code, products
):
    profile = tmp_path / "profile"
    with browser_profile(profile) as context:
        install = first_install(context, f"{relay.url}/?pair={pairing_code}")
    largest = ", ".join(f"{path} {size}" for path, size in install.wire.most_common(4))
    assert install.total <= BUDGET, f"{install.total} bytes: {largest}"
    # The runtime came once, compressed (the wasm alone is 9.6 MB as a file).
    assert max(install.wire.values()) < 3_500_000, largest

    relay.kill()
    with browser_profile(profile, offline=True) as context:
        page = open_till(context, relay.url)
        add_by_scan(page, products[0]["barcode"])
        pay_cash_and_validate(page)
        assert pending_count(page) >= 1
