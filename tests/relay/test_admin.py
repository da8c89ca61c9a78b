"""The manager page /admin over real HTTP: the token, the login cookie, CSRF, retry and discard,
and escaping of whatever a terminal name or Odoo's error text holds."""

from __future__ import annotations

import re
import time
import uuid as uuidlib
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from kasir.journal import Incoming, Journal
from processes import ADMIN_TOKEN, TerminalClient, kasir, make_order, pair, wait_for

TOKEN = ADMIN_TOKEN  # the admin_relay fixture's (tests/conftest.py)
HOSTILE_NAME = '<img src=x onerror="alert(1)">'
HOSTILE_ERROR = "<script>alert('odoo')</script> & more"


def _failed_item(relay, uuid: str, terminal: str, error: str) -> None:
    """A failed item as the forwarder leaves it, written into the relay's journal file."""
    journal = Journal(relay.db_path)
    try:
        journal.add_terminal(terminal)
        body = '{"name": "' + terminal.replace('"', "'") + '-000001"}'
        journal.accept([Incoming(uuid, terminal, 1, "order", body, "sha-" + uuid)])
        journal.mark_failed(uuid, error)
    finally:
        journal.close()


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)


def test_without_a_token_the_page_does_not_exist(relay) -> None:
    answer = httpx.get(f"{relay.url}/admin")
    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == "admin page disabled"
    assert httpx.post(f"{relay.url}/admin/retry").status_code == 404


def test_token_required_and_login_cookie(admin_relay) -> None:
    url = admin_relay.url
    login_form = httpx.get(f"{url}/admin")
    assert login_form.status_code == 401 and 'action="/admin/login"' in login_form.text
    wrong = httpx.get(f"{url}/admin", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "unauthorized"
    assert httpx.post(f"{url}/admin/login", data={"token": "nope"}).status_code == 401
    right = httpx.get(f"{url}/admin", headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status_code == 200 and "Failed items" in right.text
    with httpx.Client(base_url=url) as browser:
        logged = browser.post("/admin/login", data={"token": TOKEN})
        assert logged.status_code == 303
        cookie = logged.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
        assert TOKEN not in cookie
        assert browser.get("/admin").status_code == 200
    forged = httpx.get(f"{url}/admin", cookies={"kasir_admin": "abc.def"})
    assert forged.status_code == 401


def test_failed_items_retry_and_discard_with_csrf(admin_relay) -> None:
    url = admin_relay.url
    _failed_item(admin_relay, "u-hostile", HOSTILE_NAME, HOSTILE_ERROR)
    _failed_item(admin_relay, "u-second", "kasir-7", "Product 42 does not exist")
    with httpx.Client(base_url=url) as browser:
        browser.post("/admin/login", data={"token": TOKEN})
        page = browser.get("/admin").text
        assert "u-hostile" in page and "Product 42 does not exist" in page
        assert HOSTILE_NAME not in page and HOSTILE_ERROR not in page
        assert "&lt;script&gt;alert(&#39;odoo&#39;)&lt;/script&gt; &amp; more" in page
        assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page
        csrf = _csrf(page)

        missing = browser.post("/admin/retry", data={"uuid": "u-second"})
        assert missing.status_code == 403
        forged = browser.post("/admin/retry", data={"uuid": "u-second", "csrf": "0" * 64})
        assert forged.status_code == 403
        stranger = httpx.post(f"{url}/admin/retry", data={"uuid": "u-second", "csrf": csrf})
        assert stranger.status_code == 401  # a CSRF token alone is not a login

        done = browser.post(
            "/admin/discard", data={"uuid": "u-hostile", "csrf": csrf, "reason": "test sale <b>"}
        )
        assert done.status_code == 303
        retried = browser.post("/admin/retry", data={"uuid": "u-second", "csrf": csrf})
        assert retried.status_code == 303 and "queued+again" in retried.headers["location"]
        page = browser.get(retried.headers["location"]).text
        assert "u-second queued again" in page
        failed_list = page.split("<h2>Terminals")[0]
        assert "u-hostile" not in failed_list  # discarded: off the list (u-second may fail again)
    journal = Journal(admin_relay.db_path)
    try:
        hostile = journal.get("u-hostile")
        assert hostile.state == "discarded"
        assert hostile.error == "discarded by the manager: test sale <b>"
        assert journal.get("u-second").state in ("queued", "failed")  # forwarded again
    finally:
        journal.close()


def test_logout_takes_the_pages_csrf_token(admin_relay) -> None:
    with httpx.Client(base_url=admin_relay.url) as browser:
        browser.post("/admin/login", data={"token": TOKEN})
        csrf = _csrf(browser.get("/admin").text)
        assert browser.post("/admin/logout").status_code == 403  # a forged form: still in
        assert browser.get("/admin").status_code == 200
        assert browser.post("/admin/logout", data={"csrf": csrf}).status_code == 303
        assert browser.get("/admin").status_code == 401


JAKARTA = ZoneInfo("Asia/Jakarta")  # the sandbox's demo user's time zone
JSON = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}


def _jakarta_midnight() -> datetime:
    """The start of today in Jakarta; in its last minute, the start of the next day (a test
    must not straddle the shop's midnight)."""
    now = datetime.now(JAKARTA)
    start = datetime(now.year, now.month, now.day, tzinfo=JAKARTA)
    end = start + timedelta(days=1)  # Jakarta keeps no daylight saving time
    if (end - now).total_seconds() < 60:
        time.sleep((end - now).total_seconds() + 1)
        return end
    return start


def _wait_for_the_shops_zone(relay) -> None:
    """Until the first mirror has brought the shop's time zone (the page shows UTC before)."""
    wait_for(
        lambda: httpx.get(f"{relay.url}/admin", headers=JSON).json()["timezone"] == "Asia/Jakarta",
        "the shop's time zone from the mirror",
    )


def _made_at(record: dict[str, Any], moment: datetime) -> dict[str, Any]:
    """The record as a till whose clock said `moment` made it (created_at is in UTC)."""
    return {**record, "created_at": moment.astimezone(UTC).isoformat()}


def test_todays_sales_per_terminal_are_the_shops_day_not_utcs(admin_relay) -> None:
    """The shop is in Asia/Jakarta (UTC+07:00): a sale 30 s after midnight there is today's and
    one 30 s before it is not, whatever day it is in UTC, where Jakarta's midnight is 17:00;
    refunds lower the total, a rejected record is not a sale."""
    _wait_for_the_shops_zone(admin_relay)
    start = _jakarta_midnight()
    one = TerminalClient(admin_relay, *pair(admin_relay, "kasir-1"))
    two = TerminalClient(admin_relay, *pair(admin_relay, "kasir-2"))
    sale = _made_at(make_order("kasir-1", 1, [(1, "3500", 2)]), start + timedelta(seconds=30))
    before = _made_at(make_order("kasir-1", 2, [(1, "3500", 3)]), start - timedelta(seconds=30))
    refund = _made_at(make_order("kasir-1", 3, [(1, "3500", -1)]), start + timedelta(minutes=1))
    refund["lines"][0]["refunded_line_uuid"] = sale["lines"][0]["uuid"]
    malformed = _made_at(make_order("kasir-1", 4, [(1, "3500", 5)]), start + timedelta(seconds=50))
    malformed["lines"][0]["qty"] = "-5"  # a negative quantity that names no sold line
    other = _made_at(make_order("kasir-2", 1, [(1, "3500", 1)]), start + timedelta(seconds=45))
    results = one.sync([sale, before, refund, malformed])["results"]
    assert [r["status"] for r in results] == ["accepted"] * 3 + ["rejected"]
    assert two.sync([other])["results"][0]["status"] == "accepted"
    one.http.close()
    two.http.close()

    today = httpx.get(f"{admin_relay.url}/admin", headers=JSON).json()["today"]
    assert (today["date"], today["from"]) == (start.date().isoformat(), start.isoformat())
    assert today["to"] == (start + timedelta(days=1)).isoformat()

    def at(seconds: int) -> str:
        return (start + timedelta(seconds=seconds)).isoformat()

    assert today["terminals"] == [
        {
            "terminal": "kasir-1",
            "sales": 1,
            "refunds": 1,
            "total": "3500",
            "first": at(30),
            "last": at(60),
        },
        {
            "terminal": "kasir-2",
            "sales": 1,
            "refunds": 0,
            "total": "3500",
            "first": at(45),
            "last": at(45),
        },
    ]
    assert today["total"] == {
        "sales": 2,
        "refunds": 1,
        "total": "7000",
        "first": at(30),
        "last": at(60),
    }

    page = httpx.get(f"{admin_relay.url}/admin", headers={"Authorization": f"Bearer {TOKEN}"}).text
    assert "Times in Asia/Jakarta (UTC+07:00)." in page
    assert f"Today&#39;s sales ({start.date().isoformat()})" in page
    day = page.split("Today&#39;s sales")[1].split("</table>")[0]
    cells = r"</td>\s*<td>{}</td>\s*<td>{}</td>\s*<td class=\"money\">{}</td>"
    assert re.search("<td>kasir-1" + cells.format(1, 1, r"Rp 3\.500"), day)
    assert re.search("All terminals</b>" + cells.format(2, 1, r"Rp 7\.000"), day)
    assert "00:00:30" in day and "00:01:00" in day


def test_times_on_the_page_are_the_shops(admin_relay) -> None:
    """A failed item's time and a terminal's last contact on the Jakarta clock, never in UTC."""
    _wait_for_the_shops_zone(admin_relay)
    _failed_item(admin_relay, "u-late", "kasir-9", "Order is not fully paid.")
    data = httpx.get(f"{admin_relay.url}/admin", headers=JSON).json()
    [item] = [i for i in data["items"] if i["uuid"] == "u-late"]
    failed_at = datetime.fromisoformat(item["failed_at"])
    assert failed_at.utcoffset() == timedelta(hours=7)
    page = httpx.get(f"{admin_relay.url}/admin", headers={"Authorization": f"Bearer {TOKEN}"}).text
    entry = page.split("u-late")[1]
    assert failed_at.strftime("%Y-%m-%d %H:%M:%S") in entry[:200]
    assert "UTC" not in page.replace("(UTC+07:00)", "")


def _day_record(terminal: str, seq: int, moment: datetime, **fields: Any) -> dict[str, Any]:
    """A register's day record as a till makes it: a session open or close, or a cash move."""
    kind = "cash_move" if "type" in fields else "session"
    record = {"uuid": str(uuidlib.uuid4()), "kind": kind, "terminal": terminal, "seq": seq}
    return _made_at({**record, **fields}, moment)


def _sold_by(order: dict[str, Any], employee_id: int, name: str) -> dict[str, Any]:
    return {**order, "cashier": {"employee_id": employee_id, "name": name}}


def test_the_day_per_cashier_and_each_tills_day_with_its_difference(admin_relay) -> None:
    """Two tills in Jakarta: kasir-1 opened and closed today with 500 short, its close waiting
    behind a sale held for the manager; kasir-2 closed a day before midnight and opened the one
    still open. Sales per cashier (Ani, Budi, and a sale naming none), each till's day with its
    cash and where it is on its way to Odoo, and the day records named for people, on the page,
    in its JSON and in `kasir queue`."""
    _wait_for_the_shops_zone(admin_relay)
    start = _jakarta_midnight()

    def at(minutes: int) -> datetime:
        return start + timedelta(minutes=minutes)

    one = TerminalClient(admin_relay, *pair(admin_relay, "kasir-1"))
    two = TerminalClient(admin_relay, *pair(admin_relay, "kasir-2"))
    opened = _day_record("kasir-1", 1, at(1), op="open", cashier="Ani", cash="150000")
    day = {"session_uuid": opened["uuid"], "cashier": "Ani"}
    ani = _sold_by(_made_at(make_order("kasir-1", 2, [(1, "3500", 2)]), at(2)), 1, "Ani")
    budi = _sold_by(_made_at(make_order("kasir-1", 3, [(1, "3500", 1)]), at(3)), 2, "Budi")
    out = _day_record("kasir-1", 4, at(4), type="out", amount="20000", reason="Es batu", **day)
    cash_in = _day_record("kasir-1", 5, at(5), type="in", amount="5000", reason="Modal", **day)
    # A product the shop never had: held for the manager, and the close waits behind it.
    held = _sold_by(_made_at(make_order("kasir-1", 6, [(999999, "3500", 1)]), at(6)), 1, "Ani")
    # 150.000 opening + 14.000 in cash sales - 20.000 out + 5.000 in = 149.000 expected
    closed = _day_record(
        "kasir-1", 7, at(8), op="close", session_uuid=opened["uuid"], cashier="Budi",
        cash="148500", expected="149000", note="Kurang 500",
    )  # fmt: skip
    before = _day_record("kasir-2", 1, at(-180), op="open", cashier="Budi", cash="100000")
    ended = _day_record(
        "kasir-2", 2, at(-120), op="close", session_uuid=before["uuid"], cashier="Budi",
        cash="100000", expected="100000",
    )  # fmt: skip
    still = _day_record("kasir-2", 3, at(-60), op="open", cashier="Budi", cash="50000")
    budi_two = _sold_by(_made_at(make_order("kasir-2", 4, [(1, "3500", 1)]), at(7)), 2, "Budi")
    nobody = _made_at(make_order("kasir-2", 5, [(1, "3500", 1)]), at(9))
    first = [opened, ani, budi, out, cash_in]
    assert {r["status"] for r in one.sync([*first, held, closed])["results"]} == {"accepted"}
    second = [before, ended, still, budi_two, nobody]
    assert {r["status"] for r in two.sync(second)["results"]} == {"accepted"}
    one.wait_settled([r["uuid"] for r in first])
    two.wait_settled([r["uuid"] for r in second])
    one.http.close()
    two.http.close()

    def closing_waits() -> dict[str, Any] | None:
        data = httpx.get(f"{admin_relay.url}/admin", headers=JSON).json()
        kasir_1 = data["today"]["sessions"][0]
        return data if (kasir_1["reason"] or "").startswith("waiting for kasir-1-000006") else None

    data = wait_for(closing_waits, "kasir-1's close waiting behind the held sale")
    today = data["today"]
    assert today["cashiers"] == [
        {"cashier": "Ani", "sales": 2, "refunds": 0, "total": "10500",
         "first": at(2).isoformat(), "last": at(6).isoformat()},
        {"cashier": "Budi", "sales": 2, "refunds": 0, "total": "7000",
         "first": at(3).isoformat(), "last": at(7).isoformat()},
        {"cashier": "—", "sales": 1, "refunds": 0, "total": "3500",
         "first": at(9).isoformat(), "last": at(9).isoformat()},
    ]  # fmt: skip
    assert today["total"]["sales"] == 5 and today["total"]["total"] == "21000"
    kasir_1, kasir_2 = today["sessions"]
    assert isinstance(kasir_1.pop("odoo_id"), int) and isinstance(kasir_2.pop("odoo_id"), int)
    assert kasir_1.pop("reason").startswith("waiting for kasir-1-000006 (held: ")
    assert kasir_1 == {
        "terminal": "kasir-1",
        "session_uuid": opened["uuid"],
        "opened_at": at(1).isoformat(),
        "opened_by": "Ani",
        "opening": "150000",
        "cash_in": {"count": 1, "total": "5000"},
        "cash_out": {"count": 1, "total": "20000"},
        "closed_at": at(8).isoformat(),
        "closed_by": "Budi",
        "counted": "148500",
        "expected": "149000",
        "difference": "-500",
        "note": "Kurang 500",
        "state": "queued",
    }
    assert kasir_2 == {
        "terminal": "kasir-2",
        "session_uuid": still["uuid"],
        "opened_at": at(-60).isoformat(),
        "opened_by": "Budi",
        "opening": "50000",
        "cash_in": {"count": 0, "total": "0"},
        "cash_out": {"count": 0, "total": "0"},
        "closed_at": None,
        "closed_by": None,
        "counted": None,
        "expected": None,
        "difference": None,
        "note": None,
        "state": "posted",
        "reason": None,
    }
    named = {item["uuid"]: item["name"] for item in data["items"]}
    close_name = f"Day closed · kasir-1 · {at(8):%d-%m %H:%M}"
    assert named[closed["uuid"]] == close_name
    assert named[held["uuid"]] == "kasir-1-000006"

    bearer = {"Authorization": f"Bearer {TOKEN}"}
    page = httpx.get(f"{admin_relay.url}/admin", headers=bearer).text
    cashiers = page.split("Today&#39;s sales per cashier")[1].split("</table>")[0]
    cells = r"</td>\s*<td>{}</td>\s*<td>{}</td>\s*<td class=\"money\">{}</td>"
    assert re.search("<td>Ani" + cells.format(2, 0, r"Rp 10\.500"), cashiers)
    assert re.search("<td>—" + cells.format(1, 0, r"Rp 3\.500"), cashiers)
    days = page.split("Days at the tills (2)")[1].split("</table>")[0]
    kasir_1_row, kasir_2_row = days.split("<td>kasir-")[1:]
    assert f"{at(1):%H:%M:%S} · Ani" in kasir_1_row and "Rp 150.000" in kasir_1_row
    assert "+ Rp 5.000 (1)" in kasir_1_row and "− Rp 20.000 (1)" in kasir_1_row
    assert f'{at(8):%H:%M:%S} · Budi<br><span class="small">Kurang 500</span>' in kasir_1_row
    assert re.search(r'class="money difference bad">-Rp 500<', kasir_1_row)
    assert "at the relay" in kasir_1_row and "waiting for kasir-1-000006" in kasir_1_row
    assert f"{at(-60):%Y-%m-%d %H:%M:%S} · Budi" in kasir_2_row  # opened the day before
    assert "still open" in kasir_2_row and "in Odoo" in kasir_2_row
    assert "Rp 100.000" not in days  # the day kasir-2 closed before midnight is not today's
    waiting = page.split("<h2>Waiting")[1].split("<h2>")[0]
    assert f"<b>{close_name}</b>" in waiting
    indonesian = httpx.get(f"{admin_relay.url}/admin?lang=id", headers=bearer).text
    assert "Penjualan hari ini per kasir" in indonesian and "masih terbuka" in indonesian
    assert f"<b>Hari ditutup · kasir-1 · {at(8):%d-%m %H:%M}</b>" in indonesian

    queue = kasir("queue", "--db", str(admin_relay.db_path))
    assert queue.returncode == 0, queue.stderr
    assert f"{closed['uuid']}  kasir-1  {close_name}  " in queue.stdout
