"""The manager page /admin over real HTTP: the token, the login cookie, CSRF, retry and discard,
and escaping of whatever a terminal name or Odoo's error text holds."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from kasir.journal import Incoming, Journal
from processes import TerminalClient, make_order, pair, start_relay, wait_for

TOKEN = "s3cret-admin-token"
HOSTILE_NAME = '<img src=x onerror="alert(1)">'
HOSTILE_ERROR = "<script>alert('odoo')</script> & more"


@pytest.fixture
def admin_relay(tmp_path, sandbox):
    relay = start_relay(tmp_path, sandbox.url, env={"KASIR_ADMIN_TOKEN": TOKEN})
    try:
        yield relay
    finally:
        relay.stop(timeout=5)


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
