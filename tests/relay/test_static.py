"""The PWA files, the offline page and JSON errors, served by the relay app in process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kasir.app import create_app
from kasir.config import Settings
from starlette.testclient import TestClient


def _client(tmp_path: Path, dist: Path) -> TestClient:
    settings = Settings(odoo=None, database=tmp_path / "kasir.db", dist=dist)
    return TestClient(create_app(settings, background=False))


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    for name, content in {
        "index.html": b"<!doctype html><title>kasir</title>",
        "sw.js": b"self.addEventListener('fetch', () => {});",
        "build.json": b'{"version": "1"}',
        "static/boot.1234.js": b"export const boot = 1;",
        "static/manifest.1234.webmanifest": b"{}",
        "pyodide/314/pyodide.asm.wasm": b"\x00asm\x01\x00\x00\x00",
        "pyodide/314/pyodide.mjs": b"export {};",
        "pyodide/314/python_stdlib.zip": b"PK\x05\x06" + b"\x00" * 18,
        "py/abc/register-0.1.0-py3-none-any.whl": b"PK",
    }.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    (tmp_path / "secret.txt").write_text("nope")
    return root


@pytest.fixture
def client(tmp_path: Path, dist: Path) -> Iterator[TestClient]:
    with _client(tmp_path, dist) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("path", "media_type", "cache"),
    [
        ("/", "text/html; charset=utf-8", "no-cache"),
        ("/sw.js", "text/javascript", "no-cache"),
        ("/build.json", "application/json", "no-cache"),
        ("/static/boot.1234.js", "text/javascript", "public, max-age=31536000, immutable"),
        (
            "/static/manifest.1234.webmanifest",
            "application/manifest+json",
            "public, max-age=31536000, immutable",
        ),
        (
            "/pyodide/314/pyodide.asm.wasm",
            "application/wasm",
            "public, max-age=31536000, immutable",
        ),
        ("/pyodide/314/pyodide.mjs", "text/javascript", "public, max-age=31536000, immutable"),
        (
            "/pyodide/314/python_stdlib.zip",
            "application/zip",
            "public, max-age=31536000, immutable",
        ),
        ("/py/abc/register-0.1.0-py3-none-any.whl", "application/octet-stream", "no-cache"),
    ],
)
def test_static_headers(client: TestClient, path: str, media_type: str, cache: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 200
    assert answer.headers["content-type"].split(";")[0] == media_type.split(";")[0]
    assert answer.headers["cache-control"] == cache


def test_service_worker_may_control_the_whole_origin(client: TestClient) -> None:
    assert client.get("/sw.js").headers["service-worker-allowed"] == "/"


def test_range_requests_still_work(client: TestClient) -> None:
    answer = client.get("/pyodide/314/pyodide.asm.wasm", headers={"Range": "bytes=0-3"})
    assert answer.status_code == 206 and answer.content == b"\x00asm"


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/static/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/static/%2e%2e/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/nothing-here.js",
        "/static/",
        "/.hidden",
    ],
)
def test_unknown_paths_and_traversal_are_json_404(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"
    assert b"nope" not in answer.content


def test_no_build_tells_to_run_the_build(tmp_path: Path) -> None:
    with _client(tmp_path, tmp_path / "missing") as client:
        answer = client.get("/")
    assert answer.status_code == 503
    assert "build" in answer.json()["error"]["message"]


def test_offline_page_is_self_contained(client: TestClient) -> None:
    answer = client.get("/offline")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    html = answer.text
    assert "never loaded here" in html and "relay is out of reach" in html
    assert "Retry" in html and "location.replace('/')" in html
    assert "<style>" in html
    for external in ('src="http', 'href="http', "<link", "<script src", "@import"):
        assert external not in html


def test_errors_are_json_never_html(client: TestClient) -> None:
    for method, path in [
        ("GET", "/api/v1/nothing"),
        ("POST", "/api/v1/sync"),
        ("GET", "/api/v1/sync"),
        ("POST", "/healthz"),
        ("POST", "/api/v1/pair"),
    ]:
        answer = client.request(method, path)
        assert answer.status_code in (400, 401, 404, 405), (method, path, answer.status_code)
        assert answer.headers["content-type"] == "application/json", (method, path)
        assert answer.json()["error"]["message"]


def test_bootstrap_before_the_first_mirror_is_503(client: TestClient) -> None:
    from kasir import auth

    journal = client.app.state.relay.journal
    _, token = auth.pair(journal, auth.add_terminal(journal, "kasir-1"))
    answer = client.get("/api/v1/bootstrap", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 503 and answer.json()["error"]["code"] == "not_ready"


def test_healthz_without_odoo(client: TestClient) -> None:
    answer = client.get("/healthz").json()
    assert answer["status"] == "ok" and answer["journal"] == "ok"
    assert answer["odoo"] == "unreachable"
