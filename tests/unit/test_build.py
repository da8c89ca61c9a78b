"""build.py: the pin is enforced, and dist/ is complete and self-consistent."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import re
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"

spec = importlib.util.spec_from_file_location("kasir_build", ROOT / "build.py")
build = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build)

needs_dist = pytest.mark.skipif(
    not (DIST / "build.json").exists(), reason="dist/ is built by `make test` before pytest runs"
)


def test_integrity_mismatch_fails_with_a_clear_message(tmp_path, monkeypatch):
    cache = tmp_path / ".cache"
    (cache / "pyodide").mkdir(parents=True)
    (cache / "pyodide" / f"pyodide-{build.PYODIDE_VERSION}.tgz").write_bytes(
        b"not the real tarball"
    )
    monkeypatch.setattr(build, "CACHE", cache)
    with pytest.raises(SystemExit, match="integrity mismatch"):
        build.fetch_pyodide()
    # The bad file is gone, so the next build fetches again instead of failing forever.
    assert not (cache / "pyodide" / f"pyodide-{build.PYODIDE_VERSION}.tgz").exists()


def test_npm_integrity_format():
    assert build.npm_integrity(b"") == (
        "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="
    )


def test_scripts_get_hashed_names_and_their_imports_follow(tmp_path, monkeypatch):
    js = tmp_path / "pwa" / "static" / "js"
    js.mkdir(parents=True)
    (js / "a.js").write_text('import { b } from "./b.js";\nexport const a = b;\n')
    (js / "b.js").write_text("export const b = 1;\n")
    monkeypatch.setattr(build, "PWA", tmp_path / "pwa")
    site = build.Site(tmp_path / "dist")
    urls = build.hash_scripts(site)
    assert re.fullmatch(r"/static/b\.[0-9a-f]{10}\.js", urls["b.js"])
    a_text = (tmp_path / "dist" / urls["a.js"].lstrip("/")).read_text()
    assert f'from "{urls["b.js"]}"' in a_text
    assert sorted(site.urls) == sorted(urls.values())


def test_wheels_are_byte_identical_between_builds(tmp_path):
    pyc = tmp_path / "pyc"
    for src in build.package_sources("register"):
        rel = src.relative_to(ROOT / "pwa" / "py" / "register")
        out = pyc / rel.parent / "__pycache__" / f"{rel.stem}.{build.PYTHON_TAG}.pyc"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(b"pyc")
    assert build.build_wheel("register", pyc) == build.build_wheel("register", pyc)


@needs_dist
def test_every_precached_url_exists_and_nothing_is_left_out():
    info = json.loads((DIST / "build.json").read_text())
    files = {
        "/" + p.relative_to(DIST).as_posix()
        for p in DIST.rglob("*")
        if p.is_file()
        and p.name not in {"index.html", "sw.js", "build.json"}
        and p.suffix not in {".br", ".gz"}  # the compressed copies, sent in the file's place
    }
    precached = set(info["precache"]) - {"/", "/offline"}
    # The catalogs are not in the versioned precache: the worker keeps them across builds.
    assert precached == files - set(info["catalogs"])
    sw = (DIST / "sw.js").read_text()
    assert info["version"] in sw


@needs_dist
def test_catalogs_are_built_under_names_without_the_build_hash():
    info = json.loads((DIST / "build.json").read_text())
    sources = build.catalog_paths()
    assert sources
    assert info["catalogs"] == [f"/i18n/{p.name}" for p in sources]
    for path in sources:
        built = json.loads((DIST / "i18n" / path.name).read_text(encoding="utf-8"))
        source = json.loads(path.read_text(encoding="utf-8"))
        assert built == {msgid: text for msgid, text in source.items() if text}
    sw = (DIST / "sw.js").read_text()
    assert json.dumps(info["catalogs"]) in sw
    assert 'const I18N_CACHE = "kasir-i18n";' in sw


@needs_dist
def test_lock_lists_our_wheels_with_their_sha256():
    info = json.loads((DIST / "build.json").read_text())
    lock_path = DIST / info["boot"]["lockFileURL"].lstrip("/")
    lock = json.loads(lock_path.read_text())
    assert set(lock["packages"]) == {"register", "till"}
    assert lock["info"]["python"].startswith("3.14")
    for entry in lock["packages"].values():
        wheel = lock_path.parent / entry["file_name"]
        assert hashlib.sha256(wheel.read_bytes()).hexdigest() == entry["sha256"]
        names = zipfile.ZipFile(wheel).namelist()
        # Every module ships with its precompiled pyc, so the browser never compiles our code.
        sources = [n for n in names if n.endswith(".py")]
        assert sources
        for source in sources:
            folder, _, module = source.rpartition("/")
            stem = module.removesuffix(".py")
            assert f"{folder}/__pycache__/{stem}.{build.PYTHON_TAG}.pyc" in names


@needs_dist
def test_stdlib_is_precompiled_and_the_runtime_is_complete():
    info = json.loads((DIST / "build.json").read_text())
    runtime = DIST / info["boot"]["indexURL"].lstrip("/")
    for name in (*build.PYODIDE_RUNTIME, "python_stdlib.zip"):
        assert (runtime / name).is_file()
    names = set(zipfile.ZipFile(runtime / "python_stdlib.zip").namelist())
    # What the till imports, precompiled, without its source (the pyc is what runs).
    for module in (
        "decimal.py",
        "json/__init__.py",
        "uuid.py",
        "datetime.py",
        "encodings/cp1252.py",
    ):
        assert module + "c" in names and module not in names
    index = (DIST / "index.html").read_text()
    assert info["boot"]["indexURL"] in index
    for script in re.findall(r'src="(/static/[^"]+)"', index):
        assert (DIST / script.lstrip("/")).is_file()


def test_the_stdlib_is_what_the_till_can_import_and_no_more():
    graph = {
        "site": ["os"],
        "os": ["stat"],
        "stat": [],
        "json": ["json.decoder"],
        "json.decoder": ["re"],
        "json.tool": ["argparse"],
        "re": [],
        "argparse": [],
        "heapq": ["doctest"],
        "doctest": ["pdb"],
        "pdb": [],
        "pyodide": ["pyodide.ffi"],
        "pyodide.ffi": [],
        "pyodide.console": ["codeop"],
        "codeop": [],
        "unused": [],
    }
    kept = build.stdlib_closure(graph, {"json", "heapq", "dataclasses.dataclass"})
    # Our imports and the roots, followed; a package's other modules and the tools are not.
    assert kept == {"site", "os", "stat", "json", "json.decoder", "re", "heapq"} | {
        "pyodide",
        "pyodide.ffi",
    }


def test_our_imports_are_read_from_our_sources():
    found = build.package_imports()
    # The JS bridge too: the closure passes over what the stdlib does not have.
    assert {"decimal", "json", "dataclasses", "kasir_bridge"} <= found


@needs_dist
def test_every_copy_decodes_to_its_file_and_is_smaller():
    info = json.loads((DIST / "build.json").read_text())
    decode = build.brotli.decompress if info["encoding"] == "br" else gzip.decompress
    copies = sorted(DIST.rglob(f"*.{info['encoding']}"))
    assert {c.name.rsplit(".", 2)[1] for c in copies} >= {"wasm", "zip", "whl", "js", "mjs", "css"}
    for copy in copies:
        original = copy.with_suffix("")
        assert decode(copy.read_bytes()) == original.read_bytes(), copy
        assert copy.stat().st_size < original.stat().st_size * (1 - build.MIN_SAVING)
    assert info["encoded_bytes"] <= 6_000_000 < info["bytes"]
