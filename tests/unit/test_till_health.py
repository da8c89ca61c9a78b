"""What the till says about the tablet itself (till.health): its storage and its clock."""

from __future__ import annotations

from till import health

LOST = {"missing": 3, "next": 4, "at": "2026-11-30T05:00:00.000Z", "seen": False}


def test_nothing_wrong_nothing_said():
    assert health.notices({}) == ""
    device = {"persisted": True, "usage": 5e6, "quota": 1e9, "lost": None,
              "clock": {"skew_ms": 2000, "at": 1}}  # fmt: skip
    assert health.notices({"device": device}) == ""
    panel = health.panel({"device": device})
    assert "Storage: kept (persistent)" in panel and "Used: 5.0 MB of 1.0 GB (0.5%)" in panel
    assert "Clock: right (checked against the relay)" in panel


def test_a_full_storage_a_wrong_clock_and_a_cleared_storage_warn_the_cashier():
    device = {"persisted": False, "usage": 8e8, "quota": 1e9, "lost": LOST,
              "clock": {"skew_ms": -7 * 60000, "at": 1}}  # fmt: skip
    said = health.notices({"device": device})
    assert 'id="storage-full"' in said and "80% full (800.0 MB of 1.0 GB)" in said
    assert "7 minutes behind the relay&#x27;s" in said
    assert "3 records of this till are at the relay" in said and "number 4" in said
    assert 'data-action="storage-seen"' in said
    # Read: the cashier is no longer told; the manager's panel keeps it.
    seen = {**device, "lost": {**LOST, "seen": True}}
    assert "storage-cleared" not in health.notices({"device": seen})
    panel = health.panel({"device": seen})
    assert "may be cleared by the browser" in panel and "Found 2026-11-30 05:00 UTC." in panel


def test_a_single_record_and_an_unknown_storage_read_right():
    text = health.cleared_text({"missing": 1, "next": 2})
    assert text.startswith("This till's storage was cleared: 1 record of this till is at")
    panel = health.panel({"device": {"persisted": None, "usage": None, "quota": None}})
    assert "not known yet whether the browser keeps it" in panel
    assert "Used: not known" in panel and "Clock: not checked yet" in panel
