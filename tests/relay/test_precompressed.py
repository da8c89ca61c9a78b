"""The PWA's files go out as the Brotli (or gzip) copies build.py made, to a browser that takes them:
Content-Encoding and Vary, the copy's length and its own ETag, the file's own Content-Type; a client
that takes no encoding gets the file itself."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from pathlib import Path

import brotli
import httpx
import pytest
from kasir.app import create_app
from kasir.assets import accepted
from kasir.config import Settings
from starlette.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
WASM = b"\x00asm\x01\x00\x00\x00" + bytes(range(256)) * 64
SCRIPT = b"export const hello = 'kasir';\n" * 200
PLAIN = {"Accept-Encoding": "identity"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    dist = tmp_path / "dist"
    (dist / "pyodide" / "314").mkdir(parents=True)
    (dist / "static").mkdir()
    (dist / "index.html").write_bytes(b"<!doctype html><title>kasir</title>")
    (dist / "pyodide" / "314" / "pyodide.asm.wasm").write_bytes(WASM)
    (dist / "pyodide" / "314" / "pyodide.asm.wasm.br").write_bytes(brotli.compress(WASM))
    (dist / "static" / "boot.1234.js").write_bytes(SCRIPT)
    (dist / "static" / "boot.1234.js.gz").write_bytes(gzip.compress(SCRIPT, mtime=0))
    settings = Settings(odoo=None, database=tmp_path / "kasir.db", dist=dist)
    with TestClient(create_app(settings, background=False)) as test_client:
        yield test_client


def test_a_browser_that_takes_brotli_gets_the_copy(client: TestClient) -> None:
    answer = client.get("/pyodide/314/pyodide.asm.wasm", headers={"Accept-Encoding": "gzip, br"})
    assert answer.status_code == 200
    assert answer.headers["content-encoding"] == "br"
    assert answer.headers["vary"] == "Accept-Encoding"
    assert answer.headers["content-type"] == "application/wasm"
    assert answer.headers["content-length"] == str(len(brotli.compress(WASM)))
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert answer.content == WASM  # httpx decoded it


def test_a_client_without_accept_encoding_gets_the_file_itself(client: TestClient) -> None:
    for headers in (PLAIN, {"Accept-Encoding": "br;q=0, gzip;q=0"}):
        answer = client.get("/pyodide/314/pyodide.asm.wasm", headers=headers)
        assert "content-encoding" not in answer.headers
        assert answer.headers["vary"] == "Accept-Encoding"  # a cache must not mix them up
        assert answer.headers["content-length"] == str(len(WASM))
        assert answer.content == WASM


def test_gzip_copy_when_that_is_what_was_built(client: TestClient) -> None:
    answer = client.get("/static/boot.1234.js", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert answer.headers["content-encoding"] == "gzip"
    assert answer.headers["content-type"].startswith("text/javascript")
    assert answer.content == SCRIPT


def test_each_encoding_has_its_own_etag(client: TestClient) -> None:
    url = "/pyodide/314/pyodide.asm.wasm"
    encoded = client.get(url, headers={"Accept-Encoding": "br"}).headers["etag"]
    plain = client.get(url, headers=PLAIN).headers["etag"]
    assert encoded and plain and encoded != plain


def test_head_answers_the_copy_headers_without_a_body(client: TestClient) -> None:
    answer = client.head("/pyodide/314/pyodide.asm.wasm", headers={"Accept-Encoding": "br"})
    assert answer.status_code == 200
    assert answer.headers["content-encoding"] == "br"
    assert answer.headers["content-length"] == str(len(brotli.compress(WASM)))
    assert answer.content == b""


def test_a_copy_older_than_its_file_is_never_sent(client: TestClient, tmp_path: Path) -> None:
    """A file changed after the build (a deploy that replaced sw.js alone): its copy is stale."""
    script = tmp_path / "dist" / "static" / "boot.1234.js"
    copy = script.with_name(script.name + ".gz")
    os.utime(copy, (script.stat().st_mtime - 10, script.stat().st_mtime - 10))
    answer = client.get("/static/boot.1234.js", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in answer.headers and "vary" not in answer.headers
    assert answer.content == SCRIPT


def test_a_file_without_a_copy_does_not_vary(client: TestClient) -> None:
    answer = client.get("/", headers={"Accept-Encoding": "br"})
    assert "content-encoding" not in answer.headers and "vary" not in answer.headers


def test_accept_encoding_is_read_with_its_weights() -> None:
    assert accepted("gzip, deflate, br, zstd") == {"gzip": 1, "deflate": 1, "br": 1, "zstd": 1}
    assert accepted("br;q=0.5, gzip;q=0, *;q=0.1") == {"br": 0.5, "gzip": 0, "*": 0.1}
    assert accepted("br;q=oops") == {"br": 0}
    assert accepted("") == {}


@pytest.mark.skipif(
    not (ROOT / "dist" / "build.json").exists(), reason="dist/ is built by `make test`"
)
def test_the_built_runtime_comes_compressed_from_a_real_relay(relay) -> None:
    """The relay process on the real build: the wasm and the stdlib, the bulk of a first
    install, come as copies that decode to the very bytes of the build."""
    build = json.loads((ROOT / "dist" / "build.json").read_text())
    runtime = build["boot"]["indexURL"]
    encoding = {"br": "br", "gz": "gzip"}[build["encoding"]]
    for name in ("pyodide.asm.wasm", "python_stdlib.zip"):
        path = ROOT / "dist" / runtime.lstrip("/") / name
        answer = httpx.get(
            f"{relay.url}{runtime}{name}", headers={"Accept-Encoding": encoding}, timeout=30
        )
        assert answer.headers["content-encoding"] == encoding
        assert int(answer.headers["content-length"]) < os.path.getsize(path) / 2
        assert answer.content == path.read_bytes()
