"""/admin and /offline in Bahasa Indonesia over real HTTP: chosen with ?lang= (and kept in a
cookie), by Accept-Language, or by the shop's language in Odoo; no English text of the catalog left
on the page; JSON errors stay English. The words checked are the catalog's, not a copy of them."""

from __future__ import annotations

import html
import importlib.util
import json
import re

import httpx
import pytest
from kasir.journal import Incoming, Journal
from processes import ROOT, pair, start_relay, wait_for

TOKEN = "s3cret-admin-token"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
ID = json.loads((ROOT / "pwa" / "static" / "i18n" / "id.json").read_text(encoding="utf-8"))

spec = importlib.util.spec_from_file_location("kasir_build_pages", ROOT / "build.py")
build = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build)


def page_messages(name: str) -> set[str]:
    return build.jinja_messages((ROOT / "server" / "templates" / name).read_text(encoding="utf-8"))


def visible_text(page: str) -> str:
    """The words a reader sees: text and the placeholder/label attributes, tags and styles out.
    A ¶ stands where a tag was, so no phrase is found across two texts."""
    attributes = " ¶ ".join(re.findall(r'(?:placeholder|aria-label|title)="([^"]*)"', page))
    body = re.sub(r"<style.*?</style>|<script.*?</script>", " ¶ ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ¶ ", body) + " ¶ " + attributes)


def english_left(page: str, messages: set[str]) -> list[str]:
    """Messages of the page whose English is still shown (each literal part of a message with
    {fields} is looked for as a whole word)."""
    text = " ".join(visible_text(page).split())
    left = []
    for msgid in sorted(messages):
        assert ID.get(msgid), f"no Indonesian for {msgid!r}"
        if ID[msgid] == msgid:
            continue  # the same in both languages (a name, a command)
        parts = [" ".join(p.split()) for p in re.split(r"\{\w*\}", msgid)]
        if any(len(p) > 2 and re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text) for p in parts):
            left.append(msgid)
    return left


@pytest.fixture
def admin_relay(tmp_path, sandbox):
    relay = start_relay(tmp_path, sandbox.url, env={"KASIR_ADMIN_TOKEN": TOKEN})
    journal = Journal(relay.db_path)
    try:  # one failed sale and its terminal, so the lists and their buttons are on the page
        journal.add_terminal("kasir-1")
        body = '{"name": "kasir-1-000001"}'
        journal.accept([Incoming("u-1", "kasir-1", 1, "order", body, "sha-u-1")])
        journal.mark_failed("u-1", "Sesi POS ditutup")
    finally:
        journal.close()
    try:
        yield relay
    finally:
        relay.stop(timeout=5)


def test_admin_in_indonesian_with_lang_kept_in_a_cookie(admin_relay) -> None:
    with httpx.Client(base_url=admin_relay.url, headers=BEARER) as client:
        page = client.get("/admin", params={"lang": "id"})
        assert page.status_code == 200
        assert '<html lang="id">' in page.text
        assert page.headers["content-language"] == "id"
        assert english_left(page.text, page_messages("admin.html")) == []
        assert ID["Failed items ({n})"].format(n=1) in html.unescape(page.text)
        assert ID["Retry all failed"] in html.unescape(page.text)
        assert client.cookies.get("kasir_lang") == "id"

        again = client.get("/admin")  # the cookie remembers
        assert '<html lang="id">' in again.text
        english = client.get("/admin", params={"lang": "en"})
        assert '<html lang="en">' in english.text
        assert "Retry all failed" in english_left(english.text, page_messages("admin.html"))
        assert client.cookies.get("kasir_lang") == "en"


def test_admin_login_in_indonesian_by_accept_language_but_json_errors_stay_english(
    admin_relay,
) -> None:
    speaks = {"Accept-Language": "id-ID,id;q=0.9,en;q=0.5"}
    login = httpx.get(f"{admin_relay.url}/admin", headers=speaks)
    assert login.status_code == 401
    assert '<html lang="id">' in login.text
    assert ID["Log in"] in login.text
    wrong = httpx.post(f"{admin_relay.url}/admin/login", data={"token": "nope"}, headers=speaks)
    assert wrong.status_code == 401 and ID["That is not the admin token."] in wrong.text
    assert english_left(wrong.text, {"kasir — manager", "Log in", "admin token"}) == []

    refused = httpx.get(
        f"{admin_relay.url}/admin", headers={**speaks, "Authorization": "Bearer nope"}
    )
    assert refused.json()["error"]["message"] == "wrong admin token"


def test_offline_page_in_indonesian(relay) -> None:
    page = httpx.get(f"{relay.url}/offline", headers={"Accept-Language": "in"})
    assert page.status_code == 200
    assert '<html lang="id">' in page.text
    assert english_left(page.text, page_messages("offline.html")) == []
    assert ID["kasir could not start"] in html.unescape(page.text)

    english = httpx.get(f"{relay.url}/offline", headers={"Accept-Language": "fr, en;q=0.8"})
    assert '<html lang="en">' in english.text and "kasir could not start" in english.text


def test_the_shop_language_in_odoo_speaks_when_the_browser_does_not_say(tmp_path, sandbox) -> None:
    sandbox.rpc("res.users", "write", [[2], {"lang": "id_ID"}])
    relay = start_relay(tmp_path, sandbox.url)
    try:
        _, token = pair(relay, "kasir-1")

        def mirrored() -> dict | None:
            answer = httpx.get(
                f"{relay.url}/api/v1/bootstrap", headers={"Authorization": f"Bearer {token}"}
            )
            return answer.json() if answer.status_code == 200 else None

        bootstrap = wait_for(mirrored, "the mirrored bootstrap")
        assert bootstrap["lang"] == "id_ID"
        page = httpx.get(f"{relay.url}/offline")  # no Accept-Language, no cookie
        assert '<html lang="id">' in page.text
        assert english_left(page.text, page_messages("offline.html")) == []
        chosen = httpx.get(f"{relay.url}/offline", headers={"Accept-Language": "en-US"})
        assert '<html lang="en">' in chosen.text
    finally:
        relay.stop(timeout=5)


def test_the_sandbox_refuses_a_language_odoo_has_not_installed(sandbox) -> None:
    with pytest.raises(AssertionError, match=r"Wrong value for res\.users\.lang"):
        sandbox.rpc("res.users", "write", [[2], {"lang": "xx_XX"}])


def test_a_managers_decisions_are_answered_in_indonesian(admin_relay) -> None:
    """What the journal and the decisions answer (a Phrase) is said in the manager's language."""
    with httpx.Client(base_url=admin_relay.url) as browser:
        browser.post("/admin/login", data={"token": TOKEN})
        page = browser.get("/admin", params={"lang": "id"}).text
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
        said = []
        for path, form in (
            ("/admin/discard", {"uuid": "u-1", "reason": "salah input"}),
            ("/admin/retry", {"uuid": "u-1"}),
            ("/admin/approve", {"uuid": "u-nothing"}),
        ):
            answer = browser.post(path, data={**form, "csrf": csrf})
            assert answer.status_code == 303
            said.append(html.unescape(browser.get(answer.headers["location"]).text))
    english = [
        "{uuid} discarded: kept, never sent to Odoo ({reason})",
        "{uuid} is {state}, not failed: nothing to retry",
        "no item {uuid}",
    ]
    values = [
        {"uuid": "u-1", "reason": "salah input"},
        {"uuid": "u-1", "state": "discarded"},
        {"uuid": "u-nothing"},
    ]
    for page, msgid, filled in zip(said, english, values, strict=True):
        assert ID[msgid].format(**filled) in page
        assert msgid.format(**filled) not in page
