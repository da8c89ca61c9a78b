"""A boot that hangs becomes an error screen that still offers reload and the export of the unsent records."""

from __future__ import annotations

import pytest

from .helpers import browser_profile, downloaded_json

pytestmark = pytest.mark.browser


def test_a_stuck_boot_shows_reload_and_export(tmp_path, relay):
    with browser_profile(tmp_path / "profile") as context:
        page = context.pages[0] if context.pages else context.new_page()
        # The runtime's wasm never arrives: loadPyodide would wait forever.
        page.route("**/*.wasm", lambda route: None)
        page.goto(f"{relay.url}/?watchdog=1500")
        page.locator("#boot.failed").wait_for(timeout=15_000)
        assert "too long" in page.locator("#boot-error").inner_text()
        assert page.locator("#boot-reload").is_visible()

        _, dump = downloaded_json(page, page.locator("#boot-export"), tmp_path)
        # The recovery file (tests/browser/test_recovery.py): nothing unsent on a new device.
        assert dump["format"] == "kasir-unsent-records" and dump["records"] == []
