"""Recovery files over real HTTP (server/recovery.py): a terminal's unsent records, exported as one
checksummed and sealed file, imported by another paired terminal or on /admin, are taken once as
the original terminal's; a damaged, foreign or oversized file is refused with the reason.

The files are made here as the till makes them (static/js/outbox.js `exportUnsent`), with this
test's own canonical JSON, SHA-256 and HMAC, not the relay's functions."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Any

import httpx
import pytest
from processes import ADMIN_TOKEN, TerminalClient, booked_once, make_order, pair

TOKEN = ADMIN_TOKEN  # the admin_relay fixture's (tests/conftest.py)


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def export_file(
    terminal: str,
    token: str,
    records: list[dict[str, Any]],
    *,
    shop: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A recovery file as terminal `terminal` (holding `token`) exports it."""
    key = hashlib.sha256(token.encode()).hexdigest()
    body = {
        "format": "kasir-unsent-records",
        "version": 1,
        "terminal": {"name": terminal, "id": hashlib.sha256(key.encode()).hexdigest()[:16]},
        "shop": shop or {"company_id": None, "config_id": None},
        "exported_at": "2026-11-24T08:00:00.000Z",
        "records": records,
        "states": [{"uuid": r["uuid"], "state": "pending", "error": None} for r in records],
    }
    text = canonical(body).encode()
    return {
        **body,
        "sha256": hashlib.sha256(text).hexdigest(),
        "seal": hmac.new(key.encode(), text, hashlib.sha256).hexdigest(),
    }


def as_bytes(document: dict[str, Any]) -> bytes:
    """The file as the till saves it (indented, keys in its own order)."""
    return json.dumps(document, indent=1, ensure_ascii=False).encode()


def upload(importer: TerminalClient, raw: bytes) -> httpx.Response:
    return importer.http.post(
        "/api/v1/recovery",
        content=raw,
        headers={**importer.headers, "Content-Type": "application/json"},
    )


def refused(answer: httpx.Response, status: int, code: str) -> str:
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["code"] == code, error
    return error["message"]


@pytest.fixture
def tills(admin_relay):
    """kasir-1 (whose records are exported) and kasir-2 (which imports them), both paired."""
    one = TerminalClient(admin_relay, *pair(admin_relay, "kasir-1"))
    two = TerminalClient(admin_relay, *pair(admin_relay, "kasir-2"))
    try:
        yield one, two
    finally:
        one.http.close()
        two.http.close()


def test_a_file_is_taken_once_as_the_original_terminals(tills, sandbox, products) -> None:
    one, two = tills
    orders = [make_order("kasir-1", seq, [(products[seq]["id"], "11100", 1)]) for seq in (1, 2, 3)]
    uuids = [o["uuid"] for o in orders]
    # The first sale reached the relay before kasir-1 went down; the file holds all three.
    assert one.sync(orders[:1])["results"][0]["status"] == "accepted"
    raw = as_bytes(export_file("kasir-1", one.token, orders))

    answer = upload(two, raw)
    assert answer.status_code == 200, answer.text
    done = answer.json()
    assert (done["terminal"], done["records"], done["new"], done["duplicate"]) == (
        "kasir-1",
        3,
        2,
        1,
    )
    assert done["rejected"] == 0 and done["sealed"] is True
    assert [r["status"] for r in done["results"]] == ["duplicate", "accepted", "accepted"]

    # Twice: nothing changes, and it says so.
    again = upload(two, raw).json()
    assert (again["new"], again["duplicate"]) == (0, 3)

    # The records stay kasir-1's (its seqs): kasir-1 sees them, kasir-2 does not.
    settled = one.wait_settled(uuids)
    assert all(state["status"] == "posted" for state in settled.values())
    assert not {s["uuid"] for s in two.states("0")["states"]} & set(uuids)
    # kasir-1 back online sends its outbox: every one a duplicate, nothing booked twice.
    assert [r["status"] for r in one.sync(orders)["results"]] == ["duplicate"] * 3
    booked_once(sandbox, uuids)


def test_a_changed_byte_bad_json_or_wrong_format_is_refused(tills) -> None:
    one, two = tills
    order = make_order("kasir-1", 1, [(1, "11100", 1)])
    raw = as_bytes(export_file("kasir-1", one.token, [order]))

    altered = raw.replace(b'"11100"', b'"11101"', 1)
    assert altered != raw
    message = refused(upload(two, altered), 422, "checksum_mismatch")
    assert "changed or damaged after the export" in message
    message = refused(upload(two, raw[:-10]), 400, "malformed_file")
    assert "not valid JSON" in message
    other = {**json.loads(raw), "format": "odoo-pos-orders"}
    assert "not a kasir export" in refused(upload(two, as_bytes(other)), 422, "wrong_format")
    later = {**json.loads(raw), "version": 2}
    assert "version 2" in refused(upload(two, as_bytes(later)), 422, "wrong_version")
    # Nothing of it was stored.
    assert one.states("0")["states"] == []


def test_a_foreign_file_is_refused_with_the_reason(tills) -> None:
    one, two = tills
    order = make_order("kasir-1", 1, [(1, "11100", 1)])
    # Another relay's kasir-1: the same name, another pairing (another token).
    theirs = as_bytes(export_file("kasir-1", "another-relays-token", [order]))
    message = refused(upload(two, theirs), 403, "other_pairing")
    assert "another pairing of kasir-1" in message and "/admin" in message
    # A terminal this relay never had.
    stranger = as_bytes(export_file("kasir-9", "t", [{**order, "terminal": "kasir-9"}]))
    assert "not a terminal of this relay" in refused(upload(two, stranger), 422, "unknown_terminal")
    # Another shop (another pos.config) than the one this relay mirrors.
    elsewhere = as_bytes(export_file("kasir-1", one.token, [order], shop={"config_id": 999}))
    assert "another shop" in refused(upload(two, elsewhere), 422, "other_shop")
    # kasir-2 forging kasir-1's records: the checksum is right, the seal cannot be.
    forged = export_file("kasir-1", one.token, [order])
    forged["seal"] = hmac.new(b"kasir-2 guessing", b"x", hashlib.sha256).hexdigest()
    assert "not kasir-1's" in refused(upload(two, as_bytes(forged)), 422, "bad_seal")
    # Only a paired terminal may bring a file at all.
    anonymous = httpx.post(f"{one.relay.url}/api/v1/recovery", content=as_bytes(forged))
    refused(anonymous, 401, "unauthorized")
    assert one.states("0")["states"] == []


def test_an_oversized_file_is_refused(tills) -> None:
    one, two = tills
    huge = b'{"format": "kasir-unsent-records", "pad": "' + b"x" * (16 * 2**20) + b'"}'
    assert "at most" in refused(upload(two, huge), 413, "too_large")
    record = make_order("kasir-1", 1, [(1, "11100", 1)])
    many = [{**record, "seq": n} for n in range(5001)]
    crowded = as_bytes(export_file("kasir-1", one.token, many))
    assert "5000 records" in refused(upload(two, crowded), 413, "too_many_records")


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)


def test_the_manager_uploads_a_file_on_admin(tills, admin_relay, products) -> None:
    one, _two = tills
    orders = [make_order("kasir-1", seq, [(products[seq]["id"], "11100", 1)]) for seq in (1, 2)]
    raw = as_bytes(export_file("kasir-1", one.token, orders))
    url = admin_relay.url
    with httpx.Client(base_url=url) as browser:
        browser.post("/admin/login", data={"token": TOKEN})
        page = browser.get("/admin")
        assert 'action="/admin/recovery"' in page.text and 'type="file"' in page.text
        files = {"file": ("kasir-kasir-1-2026-11-24.json", raw, "application/json")}
        stale = browser.post("/admin/recovery", data={"csrf": "0" * 64}, files=files)
        refused(stale, 403, "csrf")
        sent = browser.post("/admin/recovery", data={"csrf": _csrf(page.text)}, files=files)
        assert sent.status_code == 303
        shown = browser.get(sent.headers["location"]).text
        assert "Imported kasir-1&#39;s unsent records: 2 new, 0 already here." in shown
        # The same file again: nothing changes.
        page = browser.get("/admin")
        sent = browser.post("/admin/recovery", data={"csrf": _csrf(page.text)}, files=files)
        assert "2 already here" in browser.get(sent.headers["location"]).text
        # A damaged file: the reason, on the page.
        bad = {"file": ("x.json", raw.replace(b"11100", b"11101", 1), "application/json")}
        sent = browser.post("/admin/recovery", data={"csrf": _csrf(page.text)}, files=bad)
        assert (
            "Import refused: the file&#39;s checksum" in browser.get(sent.headers["location"]).text
        )

    # kasir-1 paired again since (a new token): a terminal cannot bring the old file any more,
    # the manager can, on the manager's word (not sealed by the pairing the relay knows now).
    pair(admin_relay, "kasir-1")
    third = make_order("kasir-1", 3, [(products[3]["id"], "11100", 1)])
    older = as_bytes(export_file("kasir-1", one.token, [*orders, third]))
    bearer = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    answer = httpx.post(f"{url}/admin/recovery", content=older, headers=bearer)
    assert answer.status_code == 200, answer.text
    done = answer.json()
    assert (done["new"], done["duplicate"], done["sealed"]) == (1, 2, False)
    unknown = as_bytes(export_file("kasir-9", "t", [{**third, "terminal": "kasir-9"}]))
    answer = httpx.post(f"{url}/admin/recovery", content=unknown, headers=bearer)
    assert refused(answer, 422, "unknown_terminal")
