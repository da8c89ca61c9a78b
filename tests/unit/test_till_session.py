"""The register's day on the till: open with a count, sell, move cash with a reason, the X report,
close with a count (refused while anything is unsent) and the Z report; the day survives a reload
and its records go to the outbox in the terminal's one sequence."""

from __future__ import annotations

from decimal import Decimal

from test_till import FakeDevice, act, dom, flash_text, said, started

INDOMIE = "8998866200011"  # Rp 3.500


def fresh_device() -> FakeDevice:
    device = FakeDevice()
    device.session = None
    return device


def outbox_records(device: FakeDevice, kind: str) -> list[dict]:
    return [item["record"] for item in device.outbox if item["record"]["kind"] == kind]


def open_the_day(till, **counts: str) -> None:
    act(till, "open-day", form="open-day", cashier="Sari", note="Pagi", **counts)


def sell_for_cash(till, code: str = INDOMIE, amount: str = "5000") -> None:
    act(till, "scan", code=code)
    act(till, "pay")
    act(till, "tender", method_id="1", amount=amount)
    act(till, "validate")
    act(till, "new-sale")


def test_a_tablet_without_an_open_day_starts_by_counting_the_drawer():
    till = started(fresh_device())
    page = dom(till)
    assert till.screen == "open-day"
    fields = [n.attrs["name"] for n in page.one("open-day-submit").parent.find_all("input")]
    assert [f for f in fields if f[0] == "n" and f[1:].isdigit()] == [
        "n100000", "n50000", "n20000", "n10000", "n5000", "n2000", "n1000", "n500", "n200", "n100"
    ]  # fmt: skip
    assert page.one("open-day-cashier").attrs["value"] == "kasir-1"
    assert page.one("open-day-total").text == "Rp 0"
    assert not till.can_scan
    page = act(till, "pay")  # a shortcut cannot skip the count
    assert flash_text(page) == "Open the day first: count the cash in the drawer."
    assert till.screen == "open-day"


def test_the_running_total_follows_what_is_typed():
    till = started(fresh_device())
    page = act(till, "day-typed", form="open-day", n100000="1", n500="3", n200="x")
    assert page.one("open-day-total").text == "Rp 101.500"
    assert page.one("open-day-n500").attrs["value"] == "3"
    assert page.one("open-day-n200").attrs["value"] == "x"  # kept as typed, left out of the sum


def test_opening_records_the_count_and_survives_a_reload():
    device = fresh_device()
    till = started(device)
    open_the_day(till, n100000="1", n50000="1", n100="")
    assert till.screen == "sell"
    assert flash_text(dom(till)) == "The day is open with Rp 150.000 in the drawer."
    [record] = outbox_records(device, "session")
    assert (record["op"], record["cash"], record["cashier"], record["note"]) == (
        "open", "150000", "Sari", "Pagi"
    )  # fmt: skip
    assert record["counts"] == {"100000": 1, "50000": 1}
    assert (record["seq"], record["terminal"]) == (1, "kasir-1")
    assert device.session["uuid"] == record["uuid"]
    reloaded = started(device)  # a reload: the day is still open
    assert reloaded.screen == "sell" and reloaded.day.open["uuid"] == record["uuid"]


def test_a_wrong_count_is_refused_beside_its_field_and_kept_as_typed():
    device = fresh_device()
    till = started(device)
    page = act(till, "open-day", form="open-day", cashier="Sari", n100000="2", n500="-1")
    assert till.screen == "open-day" and device.session is None and device.outbox == []
    assert page.one("open-day-n500").attrs["aria-invalid"] == "true"
    assert "Count whole pieces" in said(page)
    assert page.one("open-day-n100000").attrs["value"] == "2"
    page = act(till, "open-day", form="open-day", cashier=" ", n100000="2")
    assert page.one("open-day-cashier").attrs["aria-invalid"] == "true"
    assert "Type who is at the till." in said(page)


def test_a_day_sold_moved_and_closed_with_a_difference():
    device = fresh_device()
    till = started(device)
    open_the_day(till, n100000="1", n50000="1")
    sell_for_cash(till)  # Rp 3.500, Rp 5.000 taken, Rp 1.500 change
    [sale] = outbox_records(device, "order")
    assert sale["session_uuid"] == device.session["uuid"]
    page = act(till, "day")
    assert page.one("receipt").attrs["data-report"] == "X report"
    assert page.one("day-expected").text == "Rp 153.500"

    page = act(till, "cash-move", type="out", amount="20.000", reason=" ")
    assert page.one("cash-move-reason").attrs["aria-invalid"] == "true"
    page = act(till, "cash-move", type="out", amount="-5", reason="Es batu")
    assert page.one("cash-move-amount").attrs["aria-invalid"] == "true"
    page = act(till, "cash-move", type="out", amount="20.000", reason="Beli es batu")
    assert flash_text(page) == "Cash out recorded: Rp 20.000."
    [move] = outbox_records(device, "cash_move")
    assert (move["type"], move["amount"], move["reason"], move["session_uuid"]) == (
        "out", "20000", "Beli es batu", device.session["uuid"]
    )  # fmt: skip
    assert dom(till).one("day-expected").text == "Rp 133.500"

    # The cash move is not sent yet (the relay is down): the day does not close.
    device.relay_up = False
    act(till, "close-day-screen")
    page = act(till, "close-day", form="close-day", n100000="1", n20000="1", n10000="1")
    assert "cannot close while records of this till are not sent (1)" in flash_text(page)
    assert page.by_id("day-sync") is not None and page.by_id("day-export") is not None
    assert device.session is not None and outbox_records(device, "session")[-1]["op"] == "open"
    assert page.one("close-day-n20000").attrs["value"] == "1"  # the count stays as typed

    device.relay_up = True
    act(till, "sync")
    page = act(till, "close-day", form="close-day", n100000="1", n20000="1", n10000="1",
               note="Kurang 3.500")  # fmt: skip
    close = outbox_records(device, "session")[-1]
    assert (close["op"], close["cash"], close["expected"], close["note"]) == (
        "close", "130000", "133500", "Kurang 3.500"
    )  # fmt: skip
    assert close["session_uuid"] == sale["session_uuid"]
    assert [item["record"]["seq"] for item in device.outbox] == [1, 2, 3, 4]
    assert device.session is None and till.screen == "day-closed"
    assert page.one("receipt").attrs["data-report"] == "Z report"
    assert page.one("day-counted").text == "Rp 130.000"
    assert page.one("day-difference").text == "-Rp 3.500"
    act(till, "print-report")
    assert device.printed == 1
    act(till, "new-day")
    assert started(device).screen == "open-day"  # a reload after the close counts again


def test_the_report_counts_each_method_and_the_moves():
    device = fresh_device()
    till = started(device)
    open_the_day(till, n50000="1")
    sell_for_cash(till)
    act(till, "cash-move", type="in", amount="10000", reason="Modal")
    page = act(till, "day")
    methods = {row.attrs["data-method-id"]: [" ".join(cell.text.split()) for cell in row.find_all("td")]
               for row in page.find_all("tr", cls="r-method")}  # fmt: skip
    assert methods == {"1": ["Tunai (1 payment)", "Rp 3.500"], "2": ["Kartu (0 payments)", "Rp 0"]}
    moves = [[c.text for c in row.find_all("td")] for row in page.find_all("tr", cls="r-move")]
    assert moves == [["Cash in: Modal", "Rp 10.000"]]
    assert page.one("day-expected").text == "Rp 63.500"
    assert Decimal(outbox_records(device, "cash_move")[0]["amount"]) == 10000
