"""The shop's time zone: KASIR_TIMEZONE, else the Odoo user's, else UTC; carried to the tills in
the bootstrap; and the shop's day (midnight to midnight there) that /admin sums sales over."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from kasir import sales
from kasir.journal import Journal
from kasir.mirror import Mirror
from processes import TerminalClient, kasir, pair, relay_env, start_relay, wait_for

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "odoo18"
JAKARTA = ZoneInfo("Asia/Jakarta")
TOKEN = "zone-admin-token"


def order(terminal: str, made: datetime, total: str, *, refund: bool = False) -> str:
    """An order record's JSON as the journal keeps it (only what the day reads matters)."""
    line: dict[str, Any] = {"uuid": "l-1", "qty": "-1" if refund else "1"}
    if refund:
        line["refunded_line_uuid"] = "sold-line"
    return json.dumps(
        {
            "terminal": terminal,
            "created_at": made.astimezone(UTC).isoformat(),
            "amount_total": total,
            "lines": [line],
        }
    )


# -- the shop's day, as a plain function ----------------------------------------------------------


def test_the_day_runs_from_midnight_to_midnight_in_the_shops_zone() -> None:
    noon = datetime(2026, 11, 30, 12, tzinfo=JAKARTA).timestamp()
    start, end = sales.day_bounds(JAKARTA, noon)
    assert start.astimezone(UTC) == datetime(2026, 11, 29, 17, tzinfo=UTC)
    assert end - start == timedelta(days=1)
    # 23:30 UTC is already the next day in Jakarta.
    late = datetime(2026, 11, 30, 23, 30, tzinfo=UTC).timestamp()
    assert sales.day_bounds(JAKARTA, late)[0] == datetime(2026, 12, 1, tzinfo=JAKARTA)
    # The day summer time starts has 23 hours.
    amsterdam = ZoneInfo("Europe/Amsterdam")
    spring = datetime(2026, 3, 29, 12, tzinfo=amsterdam).timestamp()
    start, end = sales.day_bounds(amsterdam, spring)
    assert end.timestamp() - start.timestamp() == 23 * 3600
    assert sales.offset_text(start) == "UTC+01:00" and sales.offset_text(end) == "UTC+02:00"
    assert sales.offset_text(datetime(2026, 1, 1, tzinfo=ZoneInfo("America/St_Johns"))) == (
        "UTC-03:30"
    )


def test_sales_and_refunds_are_summed_per_terminal_by_their_own_time() -> None:
    start = datetime(2026, 11, 30, tzinfo=JAKARTA)
    end = start + timedelta(days=1)
    orders = [
        ("kasir-2", order("kasir-2", start + timedelta(hours=9), "12500.50")),
        ("kasir-1", order("kasir-1", start, "7000")),  # the very first moment counts
        ("kasir-1", order("kasir-1", start + timedelta(hours=20), "-3500", refund=True)),
        ("kasir-1", order("kasir-1", start - timedelta(microseconds=1), "99")),  # the day before
        ("kasir-2", order("kasir-2", end, "99")),  # the next day's first moment
        ("kasir-3", '{"name": "kasir-3-000001"}'),  # unreadable as an order: left out
        ("kasir-3", order("kasir-3", start + timedelta(hours=1), "not money")),
    ]
    day = sales.day_sales(orders, start, end)
    rows = [(t.terminal, t.sales, t.refunds, t.total, t.first, t.last) for t in day.terminals]
    assert rows == [
        ("kasir-1", 1, 1, Decimal("3500"), start, start + timedelta(hours=20)),
        (
            "kasir-2",
            1,
            0,
            Decimal("12500.50"),
            start + timedelta(hours=9),
            start + timedelta(hours=9),
        ),
    ]
    total = day.total
    assert (total.sales, total.refunds, total.total) == (2, 1, Decimal("16000.50"))
    assert (total.first, total.last) == (start, start + timedelta(hours=20))


def test_kasir_timezone_wins_over_the_bootstrap_which_wins_over_utc() -> None:
    bootstrap = {"tz": "Asia/Jakarta"}
    assert sales.shop_zone("Asia/Makassar", bootstrap).key == "Asia/Makassar"
    assert sales.shop_zone(None, bootstrap).key == "Asia/Jakarta"
    assert sales.shop_zone(None, {"tz": "Mars/Olympus"}).key == "UTC"
    assert sales.shop_zone(None, None).key == "UTC"


# -- what the mirror reads from Odoo --------------------------------------------------------------


class RecordedOdoo:
    """Answers res.users.context_get as real Odoo 18 did (tests/fixtures/odoo18), or as told."""

    def __init__(self, answer: dict[str, Any]) -> None:
        self.answer = answer

    async def execute_kw(self, model: str, method: str, args: list, kwargs: dict) -> Any:
        assert (model, method) == ("res.users", "context_get")
        return self.answer


def user_context(tmp_path: Path, answer: dict[str, Any], timezone: str | None = None):
    journal = Journal(tmp_path / "kasir.db")
    try:
        mirror = Mirror(journal, RecordedOdoo(answer), timezone=timezone)  # type: ignore[arg-type]
        return asyncio.run(mirror._user_context())
    finally:
        journal.close()


def test_an_odoo_user_without_a_time_zone_is_a_shop_in_utc(tmp_path: Path, caplog) -> None:
    recorded = json.loads((FIXTURES / "context_get_res_users_id_ID.json").read_text())["answer"]
    assert recorded["tz"] is False  # real Odoo 18: the admin had no time zone
    assert user_context(tmp_path, recorded) == ("id_ID", "UTC")
    assert user_context(tmp_path, recorded, "Asia/Jayapura") == ("id_ID", "Asia/Jayapura")
    jakarta = {**recorded, "tz": "Asia/Jakarta"}
    assert user_context(tmp_path, jakarta) == ("id_ID", "Asia/Jakarta")
    assert user_context(tmp_path, jakarta, "Asia/Makassar") == ("id_ID", "Asia/Makassar")
    with caplog.at_level(logging.WARNING, logger="kasir.mirror"):
        assert user_context(tmp_path, {**recorded, "tz": "Asia/Nowhere"}) == ("id_ID", "UTC")
    assert "'Asia/Nowhere' is unknown here" in caplog.text and "KASIR_TIMEZONE" in caplog.text


# -- over HTTP, a real relay and a real sandbox ----------------------------------------------------


def bootstrap(relay) -> dict[str, Any]:
    client = TerminalClient(relay, *pair(relay, "kasir-1"))
    try:
        answer = wait_for(
            lambda: (r := client.get("/api/v1/bootstrap")).status_code == 200 and r,
            "the first mirror",
        )
        return answer.json()
    finally:
        client.http.close()


def test_the_bootstrap_carries_the_odoo_users_time_zone(sandbox, relay) -> None:
    assert bootstrap(relay)["tz"] == "Asia/Jakarta"  # the sandbox's demo user's


def test_kasir_timezone_overrides_it_in_the_bootstrap_and_on_admin(tmp_path, sandbox) -> None:
    relay = start_relay(
        tmp_path, sandbox.url, env={"KASIR_TIMEZONE": "Asia/Makassar", "KASIR_ADMIN_TOKEN": TOKEN}
    )
    try:
        assert bootstrap(relay)["tz"] == "Asia/Makassar"
        page = httpx.get(
            f"{relay.url}/admin",
            headers={"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"},
        )
        assert page.status_code == 200
        assert (page.json()["timezone"], page.json()["utc_offset"]) == (
            "Asia/Makassar",
            "UTC+08:00",
        )
        html = httpx.get(f"{relay.url}/admin", headers={"Authorization": f"Bearer {TOKEN}"}).text
        assert "Times in Asia/Makassar (UTC+08:00)." in html
    finally:
        relay.stop(timeout=5)


def test_a_wrong_kasir_timezone_stops_the_relay_at_start(tmp_path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        **relay_env("http://127.0.0.1:9"),
        "KASIR_TIMEZONE": "Asia/Jakrta",
    }
    done = kasir("serve", "--db", str(tmp_path / "kasir.db"), env=env)
    assert done.returncode == 2
    assert "KASIR_TIMEZONE must be an IANA time zone such as Asia/Jakarta" in done.stderr
    assert "'Asia/Jakrta'" in done.stderr and "Traceback" not in done.stderr
