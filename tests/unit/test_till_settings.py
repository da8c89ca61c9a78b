"""The till's settings panel under CPython: switching the language, and the scanner form that keeps
what was typed and marks the wrong field (the browser side is in tests/browser/test_language.py)."""

from __future__ import annotations

import pytest
from test_till import FakeDevice, act, flash_text, started
from till import i18n


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.use("en", None)


def test_switching_the_language_speaks_it_at_once_and_saves_the_choice():
    device = FakeDevice()
    device.catalogs["id"] = {"Settings": "Pengaturan", "Language": "Bahasa", "Sync now": "Sinkron"}
    till = started(device)
    page = act(till, "settings-panel")
    assert "open" in page.one("settings").attrs
    assert page.one("language-en").attrs["aria-pressed"] == "true"

    page = act(till, "language", arg="id")
    assert i18n.language() == "id"
    assert device.settings == {"language": "id"}
    assert page.one("settings").find_all("summary")[0].text == "Pengaturan"
    assert page.one("sync-now").text == "Sinkron"
    assert page.one("language-id").attrs["aria-pressed"] == "true"
    assert page.one("language-id").attrs["lang"] == "id"

    page = act(till, "language", arg="en")
    assert page.one("sync-now").text == "Sync now"
    assert device.settings == {"language": "en"}


def test_a_catalog_that_cannot_be_loaded_leaves_english_and_says_so():
    device = FakeDevice()  # serves no catalog
    till = started(device)
    page = act(till, "language", arg="id")
    assert i18n.language() == "en"
    assert page.one("sync-now").text == "Sync now"
    assert "could not be loaded" in flash_text(page)
    assert device.settings == {"language": "id"}  # the next start tries again


def test_an_unknown_language_is_refused():
    device = FakeDevice()
    till = started(device)
    page = act(till, "language", arg="fr")
    assert "Unknown language" in flash_text(page)
    assert device.settings == {}


def test_the_scanner_form_keeps_what_was_typed_and_marks_the_wrong_field():
    device = FakeDevice()
    device.settings = {"language": "en", "scan_threshold_ms": 25}
    till = started(device)
    page = act(till, "settings-panel")
    assert page.one("setting-threshold_ms").attrs["value"] == "25"
    assert page.one("setting-min_length").attrs["value"] == "6"  # the default

    typed = {
        "scan_threshold_ms": "abc",
        "scan_min_length": "8",
        "scan_prefix": "]C1",
        "scan_suffix": "",
    }
    page = act(till, "settings", **typed)
    assert "not saved" in flash_text(page)
    assert "open" in page.one("settings").attrs
    assert page.one("setting-threshold_ms").attrs["value"] == "abc"
    assert page.one("setting-threshold_ms").attrs["aria-invalid"] == "true"
    assert "from 5 to 80" in page.one("setting-threshold_ms-error").text
    assert page.one("setting-min_length").attrs["value"] == "8"
    assert page.one("setting-prefix").attrs["value"] == "]C1"
    assert page.by_id("setting-min_length-error") is None
    assert device.settings == {"language": "en", "scan_threshold_ms": 25}

    page = act(till, "settings", **{**typed, "scan_threshold_ms": "40"})
    assert flash_text(page) == "Settings saved."
    assert device.settings == {
        "language": "en",
        "scan_threshold_ms": 40,
        "scan_min_length": 8,
        "scan_prefix": "]C1",
        "scan_suffix": "",
    }
    assert "open" not in page.one("settings").attrs


def test_another_action_closes_the_panel_but_a_sync_update_does_not():
    till = started()
    act(till, "settings-panel")
    page = act(till, "outbox-changed", counts={"pending": 0, "online": True})
    assert "open" in page.one("settings").attrs
    page = act(till, "escape")
    assert "open" not in page.one("settings").attrs
