"""The relay's OpenAPI document, and schemathesis fuzzing a live relay against it.

Every answer must be JSON, below 500, with an `error` object when it is a 4xx, and match the
document; afterwards the journal must be intact and the relay still forwarding.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from kasir import openapi, records
from kasir.config import Settings
from processes import KasirProcess, make_order, pair, start_relay, start_sandbox
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

schema = schemathesis.openapi.from_dict(openapi.document())


class Live:
    def __init__(self, sandbox: KasirProcess, relay: KasirProcess, token: str) -> None:
        self.sandbox, self.relay, self.token = sandbox, relay, token


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    root = tmp_path_factory.mktemp("fuzz")
    (root / "sandbox").mkdir()
    (root / "relay").mkdir()
    sandbox = start_sandbox(root / "sandbox", products=20)
    relay = start_relay(root / "relay", sandbox.url)
    try:
        _, token = pair(relay, "kasir-1")
        yield Live(sandbox, relay, token)
    finally:
        relay.stop(timeout=5)
        sandbox.kill()


def test_the_document_states_the_modules_own_limits() -> None:
    doc = openapi.document()
    order = doc["components"]["schemas"]["Order"]
    assert order["properties"]["lines"]["maxItems"] == records.MAX_LINES
    assert order["properties"]["payments"]["maxItems"] == records.MAX_PAYMENTS
    assert order["properties"]["amount_total"]["pattern"] == records.DECIMAL_TEXT.pattern
    items = doc["paths"]["/api/v1/sync"]["post"]["requestBody"]["content"]["application/json"]
    assert items["schema"]["properties"]["items"]["maxItems"] == Settings(odoo=None).max_items
    assert Settings(odoo=None).max_body == openapi.MAX_BODY
    assert set(doc["paths"]) == {
        "/api/v1/pair",
        "/api/v1/sync",
        "/api/v1/sync/state",
        "/api/v1/bootstrap",
        "/api/v1/catalog",
        "/api/v1/partners",
        "/api/v1/orders",
        "/api/v1/images/{product_id}",
        "/api/v1/recovery",
        "/healthz",
    }


def test_a_contract_order_matches_the_schema(order_factory) -> None:
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    doc = openapi.document()
    validator = jsonschema_rs.Draft202012Validator(doc["components"]["schemas"]["Order"])
    order = order_factory("kasir-1", 1, [(1, "3500", 2)])
    assert validator.is_valid(order)
    assert not validator.is_valid({**order, "amount_total": 7000})
    assert not validator.is_valid({**order, "lines": []})


def test_the_document_is_served(live: Live) -> None:
    answer = httpx.get(f"{live.relay.url}/api/v1/openapi.json", timeout=5)
    assert answer.status_code == 200 and answer.json()["openapi"] == "3.1.0"
    assert answer.json()["paths"].keys() == openapi.document()["paths"].keys()


@schemathesis.check
def json_with_error_object(ctx, response, case) -> None:
    """Every answer is JSON (304 has no body, an image is an image); a 4xx carries
    {"error": {"code", "message"}}."""
    if response.status_code == 304 or (response.status_code == 200 and "/images/" in case.path):
        return
    content_type = response.headers.get("content-type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    assert content_type.startswith("application/json"), content_type
    body = response.json()
    if 400 <= response.status_code < 500:
        error = body["error"]
        assert isinstance(error["code"], str) and isinstance(error["message"], str)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    json_with_error_object,
]


@schema.parametrize()
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_fuzzed(case, live: Live) -> None:
    headers = {"Authorization": f"Bearer {live.token}"} if case.path != "/api/v1/pair" else {}
    response = case.call(base_url=live.relay.url, headers=headers, timeout=10)
    case.validate_response(response, checks=CHECKS)
    assert response.status_code < 500


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_fuzzed_without_a_token(case, live: Live) -> None:
    response = case.call(base_url=live.relay.url, headers={"Authorization": "Bearer stolen"})
    case.validate_response(response, checks=CHECKS)
    if case.path.startswith("/api/v1/") and case.path != "/api/v1/pair":
        assert response.status_code in (401, 404, 405)  # 404/405: a method it does not have


def test_after_fuzzing_the_journal_is_intact_and_forwarding(live: Live) -> None:
    db_path = Path(live.relay.db_path)
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = db.execute("SELECT uuid, body, body_sha256 FROM items").fetchall()
    for uuid, body, digest in rows:
        assert records.body_sha256(body) == digest
        assert records.validate_item(json.loads(body), "kasir-1")[0] == uuid
    health = httpx.get(f"{live.relay.url}/healthz", timeout=5).json()
    assert health["journal"] == "ok"
    order = make_order("kasir-1", 10_000, [(1, "3500", 1)])
    headers = {"Authorization": f"Bearer {live.token}"}
    answer = httpx.post(
        f"{live.relay.url}/api/v1/sync", json={"items": [order]}, headers=headers, timeout=5
    )
    assert answer.json()["results"][0]["status"] == "accepted"
