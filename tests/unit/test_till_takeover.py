"""One register per device, under CPython: a tab that is not the register writes nothing.

Every action the till knows is either one that only looks (`till.takeover.VIEWING`) or refused with
the reason while the tab is read-only, so a new action is refused until someone says it only looks;
the ones that look are run here and must leave the device as it was. Taking over reads the open
sale the other tab left on the device instead of keeping this tab's older copy.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from test_till import FakeDevice, act, flash_text, line_uuids, run, started
from till import takeover
from till.app import Till

ELSEWHERE = "open in another tab or window of this browser"


class TabDevice(FakeDevice):
    """The fake device, and the register's lock: `take_over` is counted."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.taken_over = 0

    async def take_over(self) -> None:
        self.taken_over += 1


def written(device: FakeDevice) -> str:
    """Everything a tab can write on the device, as one text to compare."""
    kept = {
        key: copy.deepcopy(value)
        for key, value in vars(device).items()
        if key not in ("printed", "clock", "sync_calls", "catalogs", "exports", "taken_over")
    }
    return json.dumps(kept, sort_keys=True, default=str)


def read_only_till(device: TabDevice | None = None) -> Till:
    till = started(device or TabDevice())
    act(till, "scan", code="8998866200011")  # a line on the open sale
    run(till.handle("read-only", {"reason": "elsewhere"}))
    return till


def test_the_banner_says_why_and_offers_to_take_over():
    till = read_only_till()
    page = act(till, "keep")
    banner = page.one("read-only")
    assert ELSEWHERE in banner.text and banner.attrs["data-reason"] == "elsewhere"
    assert page.one("take-over").attrs["data-action"] == "take-over"
    run(till.handle("read-only", {"reason": "taken-over"}))
    assert "took over this register" in act(till, "keep").one("read-only").text


@pytest.mark.parametrize("action", sorted(set(Till(TabDevice())._actions) - takeover.VIEWING))
def test_every_action_that_is_not_looking_is_refused_and_writes_nothing(action):
    device = TabDevice()
    till = read_only_till(device)
    before = written(device)
    page = act(till, action, arg="101", code="8998866200011", q="x", cash="0", amount="1")
    assert ELSEWHERE in flash_text(page)
    assert written(device) == before
    assert device.taken_over == 0


@pytest.mark.parametrize("action", sorted(takeover.VIEWING - takeover.ANYWHERE))
def test_looking_is_allowed_and_writes_nothing(action):
    device = TabDevice()
    till = read_only_till(device)
    before = written(device)
    page = act(till, action)
    assert ELSEWHERE not in flash_text(page)
    assert written(device) == before


def test_taking_over_reads_the_open_sale_the_other_tab_left():
    device = TabDevice()
    till = read_only_till(device)
    assert len(line_uuids(act(till, "keep"))) == 1
    other = started(device)  # the other tab, the register: its sale now has two lines
    act(other, "scan", code="8886008101053")
    act(other, "scan", code="8886008101053")
    page = act(till, "take-over")
    assert device.taken_over == 1 and till.read_only is None
    assert page.by_id("read-only") is None
    assert "This tab is the register now." in flash_text(page)
    assert line_uuids(page) == line_uuids(act(other, "keep"))
    act(till, "scan", code="8998866200011")  # and it sells on from there
    lines = json.loads(device.draft)["lines"]
    assert [(line["product_id"], line["qty"]) for line in lines] == [(101, "2"), (102, "2")]


def test_take_over_works_before_the_day_is_open():
    device = TabDevice()
    device.session = None
    till = started(device)
    assert till.screen == "open-day"
    run(till.handle("read-only", {"reason": "elsewhere"}))
    assert ELSEWHERE in flash_text(act(till, "open-day", cash="0"))
    assert device.outbox == []
    act(till, "take-over")
    assert till.read_only is None and till.screen == "open-day"
    assert device.taken_over == 1
