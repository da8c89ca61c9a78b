"""GET /api/v1/orders: a till finds another till's sale of the same shop by its receipt number or
Odoo's name, with its state and the refunds of its lines, so it refunds no more than is left."""

from __future__ import annotations

import httpx
from processes import TerminalClient, make_order, pair


def find(client: TerminalClient, **params: str) -> httpx.Response:
    return client.http.get("/api/v1/orders", params=params, headers=client.headers)


def test_a_till_finds_another_till_s_sale_with_what_was_refunded(sandbox, relay) -> None:
    one = TerminalClient(relay, *pair(relay, "kasir-1"))
    two = TerminalClient(relay, *pair(relay, "kasir-2"))
    sale = make_order("kasir-2", 1, [(1, "3500", 3), (2, "5000", 1)])
    other = make_order("kasir-2", 2, [(1, "3500", 1)])
    refund = make_order("kasir-2", 3, [(1, "3500", -1)])
    refund["lines"][0]["refunded_line_uuid"] = sale["lines"][0]["uuid"]
    broken = make_order("kasir-2", 4, [(1, "3500", 1)])
    broken["lines"] = []
    results = two.sync([sale, other, refund, broken])["results"]
    assert [r["status"] for r in results] == ["accepted"] * 3 + ["rejected"]
    states = two.wait_settled([sale["uuid"], other["uuid"], refund["uuid"]])
    odoo_name = states[sale["uuid"]]["odoo_name"]

    answer = find(one, q=sale["name"])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    (found,) = body["orders"]
    assert found["record"] == sale and found["terminal"] == "kasir-2"
    assert found["status"] == "posted" and found["odoo_name"] == odoo_name
    assert body["refunds"] == [refund]

    # By Odoo's name, any case; by the start of a receipt number, newest first.
    (by_odoo,) = find(one, q=odoo_name.upper()).json()["orders"]
    assert by_odoo["uuid"] == sale["uuid"]
    found = find(one, q="kasir-2-00000").json()["orders"]
    assert [o["uuid"] for o in found] == [refund["uuid"], other["uuid"], sale["uuid"]]
    assert [o["uuid"] for o in find(one, q="kasir-2-00000", limit="2").json()["orders"]] == [
        refund["uuid"],
        other["uuid"],
    ]
    # The rejected record sold nothing: never offered for a refund.
    assert find(one, q=broken["name"]).json() == {"orders": [], "refunds": []}
    # A wildcard is a character like any other.
    assert find(one, q="kasir%").json()["orders"] == []
    assert find(one, q="kasir_2").json()["orders"] == []


def test_the_search_answers_json_errors(relay, terminal) -> None:
    for params in ({}, {"q": "ab"}, {"q": "x" * 65}):
        answer = find(terminal, **params)
        assert answer.status_code == 400 and answer.json()["error"]["code"] == "bad_query"
    answer = find(terminal, q="kasir-1", limit="many")
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "bad_limit"
    answer = httpx.get(f"{relay.url}/api/v1/orders", params={"q": "kasir-1"})
    assert answer.status_code == 401 and answer.json()["error"]["message"]
