"""HTTP at its edges (issue 8, "Smaller"): a half-sent body is timed out, a wrong method on an API
route is a JSON 405 with Allow, /admin answers JSON 401 to JSON clients, logging out needs the
CSRF token, and a body that is not UTF-8 is named as such."""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from kasir.app import create_app
from kasir.config import Settings
from processes import KasirProcess, pair, start_relay
from starlette.testclient import TestClient

TOKEN = "edge-admin-token"
BODY_TIMEOUT = 1.0  # seconds, KASIR_BODY_TIMEOUT of the relay process below
API_ROUTES = {
    "/api/v1/pair": {"POST"},
    "/api/v1/sync": {"POST"},
    "/api/v1/sync/state": {"GET", "HEAD"},
    "/api/v1/recovery": {"POST"},
    "/api/v1/bootstrap": {"GET", "HEAD"},
    "/api/v1/catalog": {"GET", "HEAD"},
    "/api/v1/partners": {"GET", "HEAD"},
    "/api/v1/orders": {"GET", "HEAD"},
    "/api/v1/openapi.json": {"GET", "HEAD"},
}


def is_json_error(answer: httpx.Response, status: int) -> dict:
    assert answer.status_code == status, (answer.status_code, answer.text)
    assert answer.headers["content-type"].startswith("application/json"), answer.headers
    error = answer.json()["error"]
    assert error["code"] and error["message"]
    return error


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The relay app in process, with the manager page on (KASIR_ADMIN_TOKEN)."""
    monkeypatch.setenv("KASIR_ADMIN_TOKEN", TOKEN)
    settings = Settings(odoo=None, database=tmp_path / "kasir.db", dist=tmp_path / "dist")
    with TestClient(create_app(settings, background=False), follow_redirects=False) as test:
        yield test


# -- 1. a half-sent body is timed out -------------------------------------------------------------


@pytest.fixture
def slow_relay(tmp_path: Path, sandbox: KasirProcess) -> Iterator[KasirProcess]:
    (tmp_path / "relay").mkdir(exist_ok=True)
    relay = start_relay(
        tmp_path / "relay",
        sandbox.url,
        env={"KASIR_BODY_TIMEOUT": str(BODY_TIMEOUT), "KASIR_ADMIN_TOKEN": TOKEN},
    )
    try:
        yield relay
    finally:
        relay.stop(timeout=5)


def half_sent(url: str, head: str, sent: bytes, wait: float) -> tuple[bytes, bool, float]:
    """Send `head` and the first bytes of a body, then nothing: (what came back, whether the
    relay closed the connection, seconds until it did or `wait` ran out)."""
    host, port = url.removeprefix("http://").split(":")
    started = time.monotonic()
    data, closed = b"", False
    with socket.create_connection((host, int(port)), timeout=wait) as sock:
        sock.sendall(head.encode("latin-1") + b"\r\n" + sent)
        deadline = started + wait
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            data += chunk
    return data, closed, time.monotonic() - started


def parse(data: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split(" ", 2)[1]), headers, body


@pytest.mark.parametrize("path", ["/api/v1/pair", "/api/v1/sync", "/admin/login"])
def test_a_half_sent_body_is_408_and_the_connection_closed(slow_relay, path) -> None:
    _, token = pair(slow_relay, "kasir-1")
    head = (
        f"POST {path} HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\nContent-Length: 1000\r\n"
    )
    data, closed, seconds = half_sent(slow_relay.url, head, b'{"items": ', wait=BODY_TIMEOUT + 5)
    assert data, f"no answer within {BODY_TIMEOUT + 5} s: the half-sent body held the connection"
    status, headers, body = parse(data)
    assert status == 408, data
    assert headers["content-type"].startswith("application/json")
    assert headers.get("connection", "").lower() == "close"
    assert json.loads(body)["error"]["code"] == "timeout"
    assert closed, "the relay kept the connection open after its 408"
    assert BODY_TIMEOUT * 0.8 <= seconds < BODY_TIMEOUT + 3
    # The relay is fine afterwards, and a whole body is still read.
    assert httpx.get(f"{slow_relay.url}/healthz", timeout=5).status_code == 200
    answer = httpx.post(
        f"{slow_relay.url}/api/v1/sync",
        json={"items": []},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert answer.status_code == 200, answer.text


def test_the_body_timeout_is_a_setting() -> None:
    from kasir.config import ConfigError, from_env

    assert from_env({}, require_odoo=False).body_timeout == 10.0
    assert from_env({"KASIR_BODY_TIMEOUT": "2.5"}, require_odoo=False).body_timeout == 2.5
    with pytest.raises(ConfigError, match="KASIR_BODY_TIMEOUT"):
        from_env({"KASIR_BODY_TIMEOUT": "0"}, require_odoo=False)
    with pytest.raises(ConfigError, match="KASIR_BODY_TIMEOUT"):
        from_env({"KASIR_BODY_TIMEOUT": "soon"}, require_odoo=False)


# -- 2. a wrong method on an API route is 405 with Allow ------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("path", sorted(API_ROUTES))
def test_a_wrong_method_on_an_api_route_is_json_405(client, method, path) -> None:
    answer = client.request(method, path, content=b"{}")
    assert is_json_error(answer, 405)["code"] == "method_not_allowed"
    assert set(answer.headers["allow"].split(", ")) == API_ROUTES[path]


@pytest.mark.parametrize(("method", "path"), [("GET", "/api/v1/sync"), ("POST", "/api/v1/catalog")])
def test_get_and_post_the_wrong_way_round_are_405_too(client, method, path) -> None:
    answer = client.request(method, path)
    assert is_json_error(answer, 405)["code"] == "method_not_allowed"
    assert set(answer.headers["allow"].split(", ")) == API_ROUTES[path]


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE", "PATCH"])
def test_an_unknown_api_is_404_whatever_the_method(client, method) -> None:
    answer = client.request(method, "/api/v1/nope")
    assert is_json_error(answer, 404)["code"] == "not_found"
    assert "allow" not in answer.headers


# -- 3. /admin answers JSON 401 to JSON clients, the login page to browsers -----------------------

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    "headers",
    [
        {"Accept": "application/json"},
        {"Accept": "application/json", "Cookie": "kasir_admin=abc.def"},
        {"Accept": "text/html;q=0.5, application/json"},
        {"Authorization": "Bearer nope"},
        {"Authorization": "Bearer nope", "Accept": BROWSER},
        {"Authorization": "Basic a2FzaXI6eA=="},
        {"Authorization": "Bearer"},
    ],
)
def test_admin_without_a_good_token_is_json_401_to_json_clients(client, headers) -> None:
    assert is_json_error(client.get("/admin", headers=headers), 401)["code"] == "unauthorized"


@pytest.mark.parametrize(
    "headers", [{}, {"Accept": BROWSER}, {"Accept": "*/*"}, {"Cookie": "kasir_admin=abc.def"}]
)
def test_admin_without_a_token_is_the_html_login_page_to_browsers(client, headers) -> None:
    answer = client.get("/admin", headers=headers)
    assert answer.status_code == 401
    assert answer.headers["content-type"].startswith("text/html")
    assert 'action="/admin/login"' in answer.text


def test_a_wrong_login_is_json_401_to_json_clients(client) -> None:
    wrong = client.post(
        "/admin/login", data={"token": "nope"}, headers={"Accept": "application/json"}
    )
    assert is_json_error(wrong, 401)["code"] == "unauthorized"
    browser = client.post("/admin/login", data={"token": "nope"}, headers={"Accept": BROWSER})
    assert browser.status_code == 401 and "not the admin token" in browser.text


# -- 4. logging out needs the CSRF token ----------------------------------------------------------


def test_logout_needs_the_csrf_token(client) -> None:
    logged = client.post("/admin/login", data={"token": TOKEN})
    assert logged.status_code == 303
    page = client.get("/admin").text
    csrf = re.search(r'action="/admin/logout".*?name="csrf" value="([0-9a-f]+)"', page, re.S)
    assert csrf, "the logout form carries no CSRF token"
    for form in ({}, {"csrf": "0" * 64}):
        refused = client.post("/admin/logout", data=form)
        assert is_json_error(refused, 403)["code"] == "csrf"
        assert "set-cookie" not in refused.headers
        assert client.get("/admin").status_code == 200  # still logged in
    done = client.post("/admin/logout", data={"csrf": csrf.group(1)})
    assert done.status_code == 303 and done.headers["location"] == "/admin"
    assert (
        'kasir_admin=""' in done.headers["set-cookie"] or "Max-Age=0" in done.headers["set-cookie"]
    )
    client.cookies.clear()
    assert client.get("/admin").status_code == 401


def test_logout_without_a_session_is_401(client) -> None:
    assert is_json_error(client.post("/admin/logout", data={"csrf": "0" * 64}), 401)


# -- 5. a body that is not UTF-8 is named as such -------------------------------------------------


@pytest.mark.parametrize(
    ("body", "position"),
    [
        (b'{\x00"\x00\xe9', 4),  # json.loads sniffs this as UTF-16-LE
        (b'{"code": "\xff\xfe"}', 10),
        (b"\xff\xfe{\x00}\x00", 0),  # UTF-16 with its BOM: not UTF-8 either
    ],
)
def test_a_body_that_is_not_utf8_says_so(client, body, position) -> None:
    answer = client.post("/api/v1/pair", content=body)
    error = is_json_error(answer, 400)
    assert error["code"] == "malformed_json"
    assert re.fullmatch(
        rf"the body is not UTF-8\W+invalid byte at position {position}\)?", error["message"]
    ), error["message"]
    assert "utf-16" not in error["message"].lower()


def test_a_utf8_body_with_a_bom_is_still_json(client) -> None:
    answer = client.post("/api/v1/pair", content=b'\xef\xbb\xbf{"code": "AAAA-AAAA"}')
    assert is_json_error(answer, 403)["code"] == "invalid_code"
