"""The manager page /admin over real HTTP: the token, the login cookie, CSRF, retry and discard,
and escaping of whatever a terminal name or Odoo's error text holds."""

from __future__ import annotations

import re

import httpx
import pytest
from kasir.journal import Incoming, Journal
from processes import start_relay

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
