"""Sales through a real relay process to a real sandbox process: stored once, booked once."""

from __future__ import annotations

import json
import sqlite3

import httpx
import pytest

GOOD = [(1, "3500", 2)]


def journal_rows(relay) -> list[tuple]:
    """Everything in the relay's items table, read straight from its SQLite file."""
    with sqlite3.connect(relay.db_path) as db:
        return db.execute(
            "SELECT uuid, body_sha256, state, change_seq FROM items ORDER BY uuid"
        ).fetchall()


def test_same_batch_twice_is_stored_once_and_booked_once(sandbox, relay, terminal, order_factory):
    orders = [order_factory("kasir-1", seq, GOOD) for seq in (1, 2, 3)]
    first = terminal.sync(orders)
    assert [r["status"] for r in first["results"]] == ["accepted"] * 3
    assert {s["uuid"] for s in first["states"]} == {o["uuid"] for o in orders}
    again = terminal.sync(orders)
    assert [r["status"] for r in again["results"]] == ["duplicate"] * 3
    uuids = [o["uuid"] for o in orders]
    states = terminal.wait_settled(uuids)
    assert all(s["status"] == "posted" and s["odoo_id"] for s in states.values())
    # And once more after posting: still a duplicate, still one order in Odoo.
    assert [r["status"] for r in terminal.sync(orders)["results"]] == ["duplicate"] * 3
    booked = sandbox.orders(uuids)
    assert sorted(r["uuid"] for r in booked) == sorted(uuids)
    assert all(r["state"] == "paid" for r in booked)
    assert {r["pos_reference"] for r in booked} == {o["name"] for o in orders}
    assert len(journal_rows(relay)) == 3


def test_http_500_then_success_books_each_order_once(sandbox, relay, terminal, order_factory):
    sandbox.faults(error_500=2)
    orders = [order_factory("kasir-1", seq, GOOD) for seq in (1, 2)]
    terminal.sync(orders)
    uuids = [o["uuid"] for o in orders]
    states = terminal.wait_settled(uuids)
    assert [states[u]["status"] for u in uuids] == ["posted", "posted"]
    assert len(sandbox.orders(uuids)) == 2
    assert sandbox.faults()["error_500"] == 0


def test_connection_dropped_after_commit_still_books_once(sandbox, relay, terminal, order_factory):
    sandbox.faults(drop_after_commit=1)
    order = order_factory("kasir-1", 1, GOOD)
    terminal.sync([order])
    state = terminal.wait_settled([order["uuid"]])[order["uuid"]]
    assert state["status"] == "posted"
    booked = sandbox.orders([order["uuid"]])
    assert len(booked) == 1 and booked[0]["id"] == state["odoo_id"]
    stats = httpx.get(f"{sandbox.url}/sandbox/stats", timeout=5).json()
    # The answer was lost: the relay asked Odoo by uuid and found it, instead of sending it again.
    assert stats["sync_calls"] == 1


def test_poison_order_fails_with_odoos_message_and_does_not_block(
    sandbox, relay, terminal, order_factory
):
    good1 = order_factory("kasir-1", 1, GOOD)
    poison = order_factory("kasir-1", 2, [(7, "1000", 1)])
    good2 = order_factory("kasir-1", 3, GOOD)
    # Product 7 was sold, then deleted in Odoo before the sale arrived.
    control = f"{sandbox.url}/sandbox/control"
    httpx.post(control, json={"action": "delete_product", "id": 7}, timeout=5).raise_for_status()
    terminal.sync([good1, poison, good2])
    states = terminal.wait_settled([good1["uuid"], poison["uuid"], good2["uuid"]])
    assert states[good1["uuid"]]["status"] == "posted"
    assert states[good2["uuid"]]["status"] == "posted"
    failed = states[poison["uuid"]]
    assert failed["status"] == "failed" and failed["retryable"] is False
    # Odoo 18's own words for it (a foreign key), and which product, which Odoo does not say.
    assert "pos_order_line_product_id_fkey" in failed["error"]
    assert "product 7 of this sale is no longer in Odoo" in failed["error"]
    assert len(sandbox.orders([good1["uuid"], good2["uuid"], poison["uuid"]])) == 2


def test_bad_requests_change_nothing(relay, terminal, order_factory):
    first = order_factory("kasir-1", 1, GOOD)
    terminal.sync([first])
    terminal.wait_settled([first["uuid"]])
    before = journal_rows(relay)
    url = f"{relay.url}/api/v1/sync"
    auth = terminal.headers
    good = {"items": [order_factory("kasir-1", 2, GOOD)]}

    def check(answer: httpx.Response, status: int, code: str | None = None) -> None:
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"].startswith("application/json")
        error = answer.json()["error"]
        assert error["message"]
        if code:
            assert error["code"] == code

    check(httpx.post(url, json=good, timeout=10), 401, "unauthorized")
    check(httpx.post(url, json=good, headers={"Authorization": "Bearer nope"}, timeout=10), 401)
    check(httpx.post(url, content=b'{"items": [', headers=auth, timeout=10), 400, "malformed_json")
    check(httpx.post(url, content=b"\xff\xfe", headers=auth, timeout=10), 400)
    check(httpx.post(url, json=[1, 2], headers=auth, timeout=10), 422)
    check(httpx.post(url, json={"items": {}}, headers=auth, timeout=10), 422)
    many = {"items": [order_factory("kasir-1", i, GOOD) for i in range(10, 511)]}
    check(httpx.post(url, json=many, headers=auth, timeout=10), 413, "too_many_items")
    big = json.dumps({"items": [], "pad": "x" * (5 * 1024 * 1024)}).encode()
    check(httpx.post(url, content=big, headers=auth, timeout=10), 413, "too_large")

    def chunks():  # no Content-Length: the streaming cap must stop it
        for _ in range(6):
            yield b" " * (1024 * 1024)

    check(httpx.post(url, content=chunks(), headers=auth, timeout=10), 413, "too_large")
    assert journal_rows(relay) == before


def test_conflicting_body_and_foreign_records_are_rejected_per_item(relay, terminal, order_factory):
    original = order_factory("kasir-1", 1, GOOD)
    assert terminal.sync([original])["results"][0]["status"] == "accepted"
    changed = {**original, "amount_total": "1"}
    foreign = order_factory("kasir-2", 1, GOOD)
    malformed = {**order_factory("kasir-1", 3, GOOD), "amount_total": 7000}
    fine = order_factory("kasir-1", 2, GOOD)
    answer = terminal.sync([changed, foreign, malformed, fine, {"kind": "order"}, "junk"])
    statuses = [r["status"] for r in answer["results"]]
    assert statuses == ["rejected", "rejected", "rejected", "accepted", "rejected", "rejected"]
    errors = [r.get("error", "") for r in answer["results"]]
    assert "different content" in errors[0]
    assert "kasir-2" in errors[1]
    assert "amount_total" in errors[2]
    assert answer["results"][0]["uuid"] == original["uuid"]
    # The original is untouched and still the one that travels.
    with sqlite3.connect(relay.db_path) as db:
        body = db.execute("SELECT body FROM items WHERE uuid = ?", (original["uuid"],)).fetchone()[
            0
        ]
    assert json.loads(body)["amount_total"] == original["amount_total"]
    # The malformed order is kept for the manager, rejected with its reason (never forwarded);
    # another terminal's record is not stored under its uuid.
    stored = {row[0]: row for row in journal_rows(relay)}
    assert set(stored) == {original["uuid"], fine["uuid"], malformed["uuid"]}
    assert stored[malformed["uuid"]][2] == "rejected"
    state = {s["uuid"]: s for s in answer["states"]}[malformed["uuid"]]
    assert state["status"] == "rejected" and "amount_total" in state["error"]


def test_state_cursor_reports_only_changes_and_only_mine(sandbox, relay, terminal, order_factory):
    from processes import TerminalClient, pair

    other = TerminalClient(relay, *pair(relay, "kasir-2"))
    mine = order_factory("kasir-1", 1, GOOD)
    theirs = order_factory("kasir-2", 1, GOOD)
    terminal.sync([mine])
    other.sync([theirs])
    terminal.wait_settled([mine["uuid"]])
    other.wait_settled([theirs["uuid"]])
    first = terminal.states("")
    assert [s["uuid"] for s in first["states"]] == [mine["uuid"]]
    assert first["states"][0]["status"] == "posted"
    cursor = first["cursor"]
    again = terminal.states(cursor)
    assert (again["states"], again["cursor"]) == ([], cursor)
    later = order_factory("kasir-1", 2, GOOD)
    terminal.sync([later])
    terminal.wait_settled([later["uuid"]])
    news = terminal.states(cursor)
    assert {s["uuid"] for s in news["states"]} == {later["uuid"]}
    assert int(news["cursor"]) > int(cursor)
    bad = terminal.get("/api/v1/sync/state", params={"since": "abc"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_cursor"
    other.http.close()


def test_relay_killed_after_accepting_forwards_after_restart(
    sandbox, relay, terminal, order_factory
):
    sandbox.faults(down=True)
    order = order_factory("kasir-1", 1, GOOD)
    assert terminal.sync([order])["results"][0]["status"] == "accepted"
    relay.kill()
    sandbox.faults(reset=True)
    relay.start()
    state = terminal.wait_settled([order["uuid"]])[order["uuid"]]
    assert state["status"] == "posted"
    assert len(sandbox.orders([order["uuid"]])) == 1


def test_bootstrap_and_catalog_are_served_when_odoo_is_gone(sandbox, relay, terminal):
    boot = terminal.get("/api/v1/bootstrap")
    assert boot.status_code == 200
    document = boot.json()
    assert document["company"]["name"] == "Toko Sumber Rejeki"
    assert document["currency"] == {
        "id": 12,
        "name": "IDR",
        "symbol": "Rp",
        "rounding": "1",
        "decimal_places": 0,
        "position": "before",
    }
    assert document["config"]["session_id"] == 1
    assert document["config"]["payment_method_ids"] == [1, 2]
    assert document["taxes"][0]["amount"] == "11" and document["taxes"][0]["price_include"]
    etag = boot.headers["etag"]
    assert terminal.get("/api/v1/bootstrap", headers={"If-None-Match": etag}).status_code == 304

    sandbox.kill()
    assert terminal.get("/api/v1/bootstrap").json() == document
    items, since, pages = [], "", 0
    while True:
        page = terminal.get("/api/v1/catalog", params={"since": since, "limit": 64}).json()
        items += page["items"]
        since, pages = page["cursor"], pages + 1
        if not page["more"]:
            break
    # 200 shelf products, the loose rice sold by kg and the fruit priced by its label
    assert pages == 4 and len(items) == 202 and len({i["id"] for i in items}) == 202
    first = next(i for i in items if i["id"] == 1)
    assert first["list_price"] == "3500" and first["category_ids"][-1] == 1
    assert first["uom"] == "Units" and first["uom_decimals"] == 0  # counted whole
    rice = next(i for i in items if i["name"] == "Beras curah")
    assert rice["uom"] == "kg" and rice["uom_decimals"] == 2  # kg's rounding 0.01, as in Odoo 18
    assert document["catalog_version"].split("-")[0] == since  # and the configuration's hash
    health = httpx.get(f"{relay.url}/healthz", timeout=5).json()
    assert health["status"] == "ok" and health["journal"] == "ok"


def test_catalog_changes_arrive_by_cursor(sandbox, relay, terminal):
    page = terminal.get("/api/v1/catalog", params={"limit": 5000}).json()
    cursor = page["cursor"]
    assert len(page["items"]) == 202 and page["more"] is False
    control = f"{sandbox.url}/sandbox/control"
    httpx.post(control, json={"action": "archive_product", "id": 3}, timeout=5).raise_for_status()
    httpx.post(control, json={"action": "delete_product", "id": 4}, timeout=5).raise_for_status()
    httpx.post(
        control, json={"action": "set_price", "id": 5, "lst_price": "4200"}, timeout=5
    ).raise_for_status()

    def changes() -> dict[int, dict]:
        return {
            i["id"]: i
            for i in terminal.get("/api/v1/catalog", params={"since": cursor}).json()["items"]
        }

    import time

    deadline = time.monotonic() + 15
    while len(found := changes()) < 3:
        assert time.monotonic() < deadline, f"catalog changes did not arrive: {found}"
        time.sleep(0.1)
    assert found[3] == {"id": 3, "active": False}
    assert found[4] == {"id": 4, "active": False}
    assert found[5]["list_price"] == "4200"


@pytest.mark.parametrize("path", ["/api/v1/bootstrap", "/api/v1/catalog", "/api/v1/sync/state"])
def test_reads_need_a_token(relay, path):
    answer = httpx.get(f"{relay.url}{path}", timeout=5)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthorized"


def test_pairing_code_is_one_time(relay):
    from processes import add_terminal

    code = add_terminal(relay, "kasir-9")
    first = httpx.post(f"{relay.url}/api/v1/pair", json={"code": code.lower()}, timeout=5)
    assert first.status_code == 200 and first.json()["terminal"] == "kasir-9"
    again = httpx.post(f"{relay.url}/api/v1/pair", json={"code": code}, timeout=5)
    assert again.status_code == 403 and again.json()["error"]["code"] == "invalid_code"
    token = first.json()["token"]
    answer = httpx.get(
        f"{relay.url}/api/v1/sync/state", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    assert answer.status_code == 200


def test_real_dist_is_served_with_the_right_headers(relay):
    build = httpx.get(f"{relay.url}/build.json", timeout=5)
    assert build.status_code == 200 and build.headers["cache-control"] == "no-cache"
    index_url = build.json()["boot"]["indexURL"]
    wasm = httpx.head(f"{relay.url}{index_url}pyodide.asm.wasm", timeout=5)
    assert wasm.status_code == 200
    assert wasm.headers["content-type"] == "application/wasm"
    assert wasm.headers["cache-control"] == "public, max-age=31536000, immutable"
    sw = httpx.get(f"{relay.url}/sw.js", timeout=5)
    assert sw.headers["cache-control"] == "no-cache"
    assert sw.headers["service-worker-allowed"] == "/"
    assert sw.headers["content-type"].startswith("text/javascript")


def test_the_bootstrap_carries_what_the_till_needs_from_the_pos_config(sandbox, relay, terminal):
    """Fiscal positions as a tax map the register applies, the config's discount product and
    default fiscal position, pos_loyalty's programs, and sale taxes only."""
    from decimal import Decimal

    from register.shop import Shop

    document = terminal.get("/api/v1/bootstrap").json()
    config = document["config"]
    assert config["discount_product_id"] == 100001
    assert config["fiscal_position_ids"] == [1] and config["default_fiscal_position_id"] is None
    [bebas] = document["fiscal_positions"]
    assert bebas["name"] == "Bebas PPN" and bebas["tax_map"] == {"1": [2]}
    assert 3 not in {tax["id"] for tax in document["taxes"]}  # the purchase tax stays home
    [program] = document["loyalty_programs"]
    assert program["rules"] and program["rewards"][0]["discount_mode"] == "per_order"
    shop = Shop.from_bootstrap(document)
    assert shop.fiscal_positions[1].map_tax_ids([1]) == (2,)
    assert shop.discount_product_id == 100001 and shop.loyalty_programs[0].id == 1
    # Odoo's example of the defect: Rp 13,650 under Bebas PPN is 12,297.30 with no tax.
    from register.fiscal_positions import adapt_price

    ppn, zero = shop.taxes[1], shop.taxes[2]
    price = adapt_price(Decimal("13650"), [ppn], [zero])
    assert price.quantize(Decimal("0.01")) == Decimal("12297.30")
