"""Build the deployable PWA into dist/.

What it does, in order, each step cached so that a rebuild with nothing changed is quick:

1. Pyodide, pinned by version and integrity, is fetched once with `npm pack` into .cache/ and verified;
   only the runtime files go to dist/.
2. Pyodide itself, run under Node, compiles the standard library and our packages to `.pyc`
   (unchecked-hash pycs, so no source stat at import); CPython compiling the stdlib at every start was
   most of the boot time. The browser gets only the stdlib modules the till can import, as pycs.
3. Our packages (`register`, `till`) become wheels listed with their sha256 in a trimmed lock file, so the
   browser installs exactly these bytes and never asks micropip or a CDN.
4. Static files get content-hashed names, index.html and sw.js are rendered with jinja2, and the list of
   every URL the service worker precaches is written beside them. Each file that compresses gets a
   Brotli (or gzip) copy beside it, which the relay sends to browsers that take it.

5. The message catalogs (pwa/static/i18n/<lang>.json) are copied to /i18n/<lang>.json, a name
   without the build hash: the worker keeps them in a cache that survives new builds.

`python build.py messages` extracts every message from the code into the catalogs (new ones with an
empty translation, gone ones removed); `--check` only reports missing, empty, stale or broken entries.

Usage: python build.py [--dist DIR] [--clean] | python build.py messages [--check]
"""

from __future__ import annotations

import argparse
import ast
import base64
import concurrent.futures
import fcntl
import gzip
import hashlib
import io
import json
import re
import shutil
import string
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import jinja2
import jinja2.ext

ROOT = Path(__file__).resolve().parent
PWA = ROOT / "pwa"
CACHE = ROOT / ".cache"

PYODIDE_VERSION = "314.0.7"
PYODIDE_INTEGRITY = "sha512-0YvXxEhfEdpLfb/XkM2BFAeMROq0iMUX2bzzH9pOttyMcWkwq+HbE5uyuGD82LN7y2q+SNvi/6V5JEsOlD2R1A=="
PYODIDE_RUNTIME = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm")
PYTHON_TAG = "cpython-314"
OUR_PACKAGES = ("register", "till")
SITE_PACKAGES = "/lib/python3.14/site-packages"
PACKAGE_VERSION = "0.1.0"
# A fixed timestamp keeps wheels byte-identical between builds of the same sources.
ZIP_DATE = (2020, 1, 1, 0, 0, 0)


class BuildError(SystemExit):
    """A build failure with a message meant for a person, not a traceback."""

    def __init__(self, message: str) -> None:
        super().__init__(f"build.py: {message}")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def short_hash(data: bytes) -> str:
    return sha256_hex(data)[:10]


# --- 1. Pyodide --------------------------------------------------------------------------------


def npm_integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def npm_tarball(package: str, version: str, integrity: str) -> bytes:
    """The verified bytes of an npm package's tarball, fetched with `npm pack` into .cache/ on
    first use (the registry npm is configured with; no host named here). A tarball that does not
    match the pinned integrity is removed and refused."""
    cache = CACHE / package
    tarball = cache / f"{package}-{version}.tgz"
    if not tarball.exists():
        cache.mkdir(parents=True, exist_ok=True)
        print(f"fetching {package} {version} with npm pack", flush=True)
        try:
            subprocess.run(
                ["npm", "pack", f"{package}@{version}", "--pack-destination", str(cache)],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        except (OSError, subprocess.CalledProcessError) as exc:
            raise BuildError(f"could not fetch {package} with npm pack: {exc}") from exc
    data = tarball.read_bytes()
    found = npm_integrity(data)
    if found != integrity:
        tarball.unlink()
        raise BuildError(
            f"integrity mismatch for {tarball.name}: expected {integrity}, got {found}. "
            "The cached file was removed; if the pin itself is wrong, update the pin."
        )
    return data


def fetch_pyodide() -> Path:
    """Return the verified, unpacked Pyodide package, fetching it with npm on first use."""
    unpacked = CACHE / "pyodide" / PYODIDE_VERSION
    data = npm_tarball("pyodide", PYODIDE_VERSION, PYODIDE_INTEGRITY)
    found = npm_integrity(data)
    marker = unpacked / ".integrity"
    if not marker.exists() or marker.read_text() != found:
        shutil.rmtree(unpacked, ignore_errors=True)
        unpacked.mkdir(parents=True)
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            for member in tar.getmembers():
                name = member.name.removeprefix("package/")
                if member.isfile() and "/" not in name:
                    (unpacked / name).write_bytes(tar.extractfile(member).read())
        marker.write_text(found)
    return unpacked


# --- 2. Precompiling with Pyodide under Node ---------------------------------------------------

NODE_COMPILER = r"""
import { loadPyodide } from "PYODIDE_MJS";
const job = process.argv[2];
const py = await loadPyodide({ indexURL: "PYODIDE_DIR/" });
py.FS.mkdirTree("/host");
py.FS.mount(py.FS.filesystems.NODEFS, { root: "HOST_ROOT" }, "/host");
py.globals.set("job_path", "/host/" + job);
py.runPython(`
import ast, importlib._bootstrap_external as ext, importlib.util, json, zipfile

def pyc(source, filename):
    code = compile(source, filename, "exec", dont_inherit=True)
    return bytes(ext._code_to_hash_pyc(code, importlib.util.source_hash(source), False))

def imported(source, filename):
    # Every module an import statement names, at any depth (a function's import counts), except
    # under "if __name__ == '__main__':", which never runs on import.
    module = filename.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
    package = module if filename.endswith("__init__.py") else module.rpartition(".")[0]
    names = set()
    for top in ast.parse(source).body:
        if isinstance(top, ast.If) and ast.unparse(top.test) == "__name__ == '__main__'":
            continue
        for node in ast.walk(top):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{parent}.{base}" if base else parent
                names.add(base)
                names.update(f"{base}.{alias.name}" for alias in node.names)
    return module, sorted(names)

job = json.load(open(job_path))
if job["stdlib_in"]:
  graph = {}
  with zipfile.ZipFile("/host/" + job["stdlib_in"]) as src, \
       zipfile.ZipFile("/host/" + job["stdlib_out"], "w", zipfile.ZIP_DEFLATED) as out:
    for info in src.infolist():
        data = src.read(info)
        out.writestr(info, data)
        if info.filename.endswith(".py"):
            try:
                compiled = pyc(data, "/lib/python314.zip/" + info.filename)
            except SyntaxError:
                continue  # test fixtures with deliberate errors; the .py stays
            out.writestr(info.filename + "c", compiled)
            module, names = imported(data, info.filename)
            graph[module] = names
  with open("/host/" + job["graph_out"], "w") as f:
    json.dump(graph, f)
for src, dst in job["modules"]:
    with open("/host/" + src, "rb") as f:
        source = f.read()
    with open("/host/" + dst, "wb") as f:
        f.write(pyc(source, job["site"] + "/" + src.split("/py/", 1)[1]))
`);
"""


def run_pyodide_compiler(pyodide_dir: Path, job: dict, workdir: Path) -> None:
    script = (
        NODE_COMPILER.replace("PYODIDE_MJS", (pyodide_dir / "pyodide.mjs").as_posix())
        .replace("PYODIDE_DIR", pyodide_dir.as_posix())
        .replace("HOST_ROOT", ROOT.as_posix())
    )
    runner = workdir / "compile.mjs"
    runner.write_text(script)
    job_file = workdir / "job.json"
    job_file.write_text(json.dumps(job))
    try:
        subprocess.run(
            ["node", str(runner), job_file.relative_to(ROOT).as_posix()], check=True, cwd=ROOT
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        raise BuildError(f"precompiling with pyodide under node failed: {exc}") from exc


def package_sources(name: str) -> list[Path]:
    return sorted((PWA / "py" / name).rglob("*.py"))


def cached_compile(pyodide_dir: Path, kind: str, key_parts: list[bytes], job: dict) -> Path:
    """Run one compile job unless its inputs were compiled before; return its output folder.

    `job` names files relative to the output folder ("@/"), filled in here once the key is known.
    """
    key = short_hash(b"\0".join([NODE_COMPILER.encode(), *key_parts]))
    out = CACHE / "compiled" / f"{kind}-{key}"
    if (out / ".done").exists():
        return out
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    rel = out.relative_to(ROOT).as_posix()
    job = json.loads(json.dumps(job).replace('"@/', f'"{rel}/'))
    for _, dst in job["modules"]:
        (ROOT / dst).parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    run_pyodide_compiler(pyodide_dir, job, out)
    print(f"precompiled {kind} in {time.monotonic() - started:.1f} s", flush=True)
    (out / ".done").write_text("ok")
    return out


def compile_python(pyodide_dir: Path) -> tuple[Path, dict[str, Path]]:
    """Precompile the stdlib (once per Pyodide pin) and our packages (when their sources change).

    Returns the precompiled stdlib zip (its import graph beside it, imports.json) and, per
    package, the folder holding its __pycache__ tree.
    """
    pin = (pyodide_dir / ".integrity").read_bytes()
    stdlib_job = {
        "stdlib_in": (pyodide_dir / "python_stdlib.zip").relative_to(ROOT).as_posix(),
        "stdlib_out": "@/python_stdlib.zip",
        "graph_out": "@/imports.json",
        "site": SITE_PACKAGES,
        "modules": [],
    }
    stdlib = cached_compile(pyodide_dir, "stdlib", [pin], stdlib_job) / "python_stdlib.zip"

    sources = [p for name in OUR_PACKAGES for p in package_sources(name)]
    modules = []
    for src in sources:
        rel = src.relative_to(PWA / "py")
        pyc = rel.parent / "__pycache__" / f"{rel.stem}.{PYTHON_TAG}.pyc"
        modules.append([src.relative_to(ROOT).as_posix(), f"@/{pyc.as_posix()}"])
    key_parts = [pin] + [p.relative_to(ROOT).as_posix().encode() + p.read_bytes() for p in sources]
    job = {"stdlib_in": None, "stdlib_out": None, "site": SITE_PACKAGES, "modules": modules}
    out = cached_compile(pyodide_dir, "packages", key_parts, job)
    return stdlib, {name: out / name for name in OUR_PACKAGES}


# --- 2b. Only the stdlib the till can import ----------------------------------------------------

# What no import statement names: what Pyodide imports by name from JS or C when it starts and
# loads packages (the two packages of its own Python, whole), what CPython imports from C (codecs by
# name, time.strptime, big int to text) and sysconfig by a name it makes.
STDLIB_ROOTS = (
    "site", "zipimport", "encodings", "_strptime", "_pylong",
    "_sysconfigdata__emscripten_wasm32-emscripten", "_pyodide", "pyodide",
)  # fmt: skip
# Tools for a person at a terminal or a server, reached only through a function of another module
# (help(), the REPL, a debugger, a test runner), or that cannot run in a browser: a till never runs
# them. With them the stdlib is about 0.3 MB bigger over the wire.
STDLIB_CUT = (
    "_pyrepl", "pydoc", "pdb", "bdb", "doctest", "unittest", "multiprocessing", "compileall",
    "xmlrpc", "wsgiref", "http.server", "mailbox",
    "pyodide.console", "pyodide.http", "pyodide._nodesock_transport",
)  # fmt: skip


def _within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def package_imports() -> set[str]:
    """The absolute imports of our packages, at any depth (CPython parses them: they are 3.11)."""
    found: set[str] = set()
    for name in OUR_PACKAGES:
        for path in package_sources(name):
            for node in ast.walk(ast.parse(path.read_bytes())):
                if isinstance(node, ast.Import):
                    found.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                    found.add(node.module)
                    found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def stdlib_closure(graph: dict[str, list[str]], imports: set[str]) -> set[str]:
    """The stdlib modules reachable by import statements (`graph`, from the compile job) from
    `imports` and STDLIB_ROOTS, with their parent packages, never entering STDLIB_CUT. A static
    superset of what runs: an import inside a function counts even if it is never called."""
    known = {m for m in graph if not _within(m, STDLIB_CUT)}
    todo = [*imports, *(m for m in known if _within(m, STDLIB_ROOTS))]
    kept: set[str] = set()
    while todo:
        parts = todo.pop().split(".")
        for end in range(1, len(parts) + 1):
            module = ".".join(parts[:end])
            if module in known and module not in kept:
                kept.add(module)
                todo.extend(graph[module])
    return kept


def trim_stdlib(stdlib: Path) -> bytes:
    """The stdlib zip the browser gets: the modules the till can import (stdlib_closure), each as
    its pyc alone (its source only if it has no pyc), uncompressed, so that the whole file
    compresses as one on the wire (the whole stdlib's pycs: 3.2 MB so, 4.5 MB deflated file by
    file) and imports read it without inflating. Every source and pyc of the whole stdlib came to
    7 MB over the wire; this, about 1.8 MB."""
    graph = json.loads((stdlib.parent / "imports.json").read_text())
    kept = stdlib_closure(graph, package_imports())
    buffer = io.BytesIO()
    with zipfile.ZipFile(stdlib) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as out:
        names = set(src.namelist())
        for module in sorted(kept):
            path = module.replace(".", "/")
            base = f"{path}/__init__" if f"{path}/__init__.py" in names else path
            member = f"{base}.pyc" if f"{base}.pyc" in names else f"{base}.py"
            out.writestr(zipfile.ZipInfo(member, ZIP_DATE), src.read(member))
    return buffer.getvalue()


# --- 3. Wheels and the lock --------------------------------------------------------------------


def record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def build_wheel(name: str, pyc_dir: Path) -> tuple[str, bytes]:
    """A pure wheel with sources and their precompiled pycs, byte-identical for the same inputs."""
    pkg_root = PWA / "py" / name
    files: list[tuple[str, bytes]] = []
    for src in package_sources(name):
        rel = src.relative_to(pkg_root)
        files.append((f"{name}/{rel.as_posix()}", src.read_bytes()))
        pyc = pyc_dir / rel.parent / "__pycache__" / f"{rel.stem}.{PYTHON_TAG}.pyc"
        pyc_path = f"{name}/{(rel.parent / '__pycache__' / pyc.name).as_posix()}"
        files.append((pyc_path.replace("/./", "/"), pyc.read_bytes()))
    info = f"{name}-{PACKAGE_VERSION}.dist-info"
    files.append(
        (
            f"{info}/METADATA",
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {PACKAGE_VERSION}\n".encode(),
        )
    )
    files.append(
        (
            f"{info}/WHEEL",
            b"Wheel-Version: 1.0\nGenerator: kasir build.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
    )
    files.append((f"{info}/top_level.txt", f"{name}\n".encode()))
    record = "\n".join([record_line(p, d) for p, d in files] + [f"{info}/RECORD,,"]) + "\n"
    files.append((f"{info}/RECORD", record.encode()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as whl:
        for path, data in files:
            whl.writestr(zipfile.ZipInfo(path.replace("//", "/"), ZIP_DATE), data)
    return f"{name}-{PACKAGE_VERSION}-py3-none-any.whl", buffer.getvalue()


def lock_file(pyodide_dir: Path, wheels: dict[str, tuple[str, bytes]]) -> bytes:
    """Pyodide's lock, trimmed to our wheels: loadPackage checks each sha256 before installing."""
    info = json.loads((pyodide_dir / "pyodide-lock.json").read_text())["info"]
    packages = {
        name: {
            "name": name,
            "version": PACKAGE_VERSION,
            "file_name": file_name,
            "install_dir": "site",
            "sha256": sha256_hex(data),
            "package_type": "package",
            "imports": [name],
            "depends": [],
            "unvendored_tests": False,
            "tool": {},
        }
        for name, (file_name, data) in wheels.items()
    }
    return json.dumps({"info": info, "packages": packages}, indent=1, sort_keys=True).encode()


# --- 4. Static files, pages and the precache manifest -----------------------------------------

# The shell is cached under "/" (what navigations ask for) and the emergency page under /offline:
# the only precached URLs whose path does not name their content.
SHELL = ("/", "/offline")
IMPORT_RE = re.compile(r"""(from\s+|import\s*\(?\s*)(["'])\./([\w.-]+\.js)\2""")


class Site:
    """Collects the files of dist/ with their URLs, so the precache list is exactly what was written."""

    def __init__(self, dist: Path) -> None:
        self.dist = dist
        self.urls: list[str] = []

    def write(self, url: str, data: bytes, *, precache: bool = True) -> str:
        path = self.dist / url.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if precache:
            self.urls.append(url)
        return url

    def hashed(self, name: str, data: bytes) -> str:
        stem, dot, ext = name.partition(".")
        return self.write(f"/static/{stem}.{short_hash(data)}{dot}{ext}", data)


def hash_scripts(site: Site) -> dict[str, str]:
    """Give each JS module a content-hashed name, rewriting `./x.js` imports to the hashed names.

    Modules are done leaves first, so a module's hash covers the names of what it imports.
    """
    sources = {p.name: p.read_text() for p in sorted((PWA / "static" / "js").glob("*.js"))}
    urls: dict[str, str] = {}

    def visit(name: str, trail: tuple[str, ...] = ()) -> str:
        if name in urls:
            return urls[name]
        if name in trail or name not in sources:
            raise BuildError(f"bad import of {name} in static/js ({' -> '.join(trail)})")
        deps = {m.group(3) for m in IMPORT_RE.finditer(sources[name])}
        for dep in sorted(deps):
            visit(dep, (*trail, name))
        text = IMPORT_RE.sub(
            lambda m: f"{m.group(1)}{m.group(2)}{urls[m.group(3)]}{m.group(2)}", sources[name]
        )
        urls[name] = site.hashed(name, text.encode())
        return urls[name]

    for name in sources:
        visit(name)
    return urls


# --- 4b. Precompressed copies ------------------------------------------------------------------

try:
    import brotli
except ImportError:  # the build still works without it; gzip is the stdlib's
    brotli = None

# The relay sends a copy to a browser that accepts its encoding (server/assets.py).
ENCODING_SUFFIX = ".br" if brotli else ".gz"
# A copy must save at least this share of the file, or it is not worth a second file.
MIN_SAVING = 0.1


def compress(data: bytes, best: bool) -> bytes:
    """Brotli's best (11) for what seldom changes, 9 for what changes with every edit (11 takes
    about 2 minutes on the wasm and ~10 s on our wheels for 10 % less); else gzip -9."""
    if brotli is None:
        return gzip.compress(data, 9, mtime=0)
    return brotli.compress(data, quality=11 if best else 9, lgwin=24)


def precompress(staging: Path, best: str) -> dict[str, int]:
    """Write `name.br` (or `.gz`) beside each file of the build that it makes smaller; return
    the encoded size per URL. Files under the `best` URL prefix get the best compression. Copies are
    cached in .cache/compressed by content, so a rebuild compresses only what changed."""
    cache = CACHE / "compressed"
    cache.mkdir(parents=True, exist_ok=True)
    files = {"/" + p.relative_to(staging).as_posix(): p for p in staging.rglob("*") if p.is_file()}

    def one(url: str) -> tuple[str, str, int, bytes]:
        data = files[url].read_bytes()
        key = f"{sha256_hex(data)}-{'best' if url.startswith(best) else 'fast'}"
        cached = cache / f"{key}{ENCODING_SUFFIX}"
        if not cached.exists():
            part = cache / f"{key}.part"
            part.write_bytes(compress(data, url.startswith(best)))
            part.rename(cached)
        return url, key, len(data), cached.read_bytes()

    encoded: dict[str, int] = {}
    with concurrent.futures.ThreadPoolExecutor() as pool:
        done = list(pool.map(one, sorted(files)))
    for url, _, size, copy in done:
        if len(copy) <= size * (1 - MIN_SAVING):
            files[url].with_name(files[url].name + ENCODING_SUFFIX).write_bytes(copy)
            encoded[url] = len(copy)
    used = {key for _, key, _, _ in done}
    for old in cache.iterdir():  # copies of files no build has any more
        if old.name.split(".")[0] not in used:
            old.unlink()
    return encoded


# --- 5. Message catalogs -------------------------------------------------------------------------

JS_MESSAGE_RE = re.compile(r'\bt\(\s*"((?:[^"\\\n]|\\.)*)"')
# The relay's words said in English and on /admin (server/phrases.py): their template is a message.
PHRASES = frozenset({"Phrase"})
# Where messages are written, relative to the root: (glob, kind). The till raises the register's
# errors too, so both are of kind "register": `_()` literals and the templates of those errors.
MESSAGE_SOURCES = (
    ("pwa/py/till/*.py", "register"),
    ("pwa/py/register/*.py", "register"),
    ("server/*.py", "relay"),
    ("pwa/static/js/*.js", "js"),
    ("pwa/templates/*.html", "jinja"),
    ("server/templates/*.html", "jinja"),
)


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _literals(call: ast.Call, count: int) -> list[str]:
    """The string literals among a call's first `count` arguments (f-strings are not messages)."""
    return [
        arg.value
        for arg in call.args[:count]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
    ]


def _error_classes(trees: list[ast.Module]) -> frozenset[str]:
    """The register's own exception classes: those named ...Error and their subclasses (a
    ValueError's text is for developers, not for the cashier)."""
    bases = {
        node.name: {b.id for b in node.bases if isinstance(b, ast.Name)}
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
    }
    found = {name for name in bases if name.endswith("Error")}
    while grown := {name for name, parents in bases.items() if parents & found} - found:
        found |= grown
    return frozenset(found)


def python_messages(tree: ast.Module, errors: frozenset[str] = frozenset()) -> set[str]:
    """Literals given to `_` and `_n`, and the templates (first argument) of `errors` raised."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        if name == "_" or name in errors:
            found.update(_literals(node, 1))
        elif name == "_n":
            found.update(_literals(node, 2))
    return found


def jinja_messages(source: str) -> set[str]:
    """Literals given to `_` and `_n` in a template's expressions."""
    tree = jinja2.Environment().parse(source)
    found: set[str] = set()
    for _line, _func, message in jinja2.ext.extract_from_ast(tree, ("_", "_n")):
        found.update(m for m in (message if isinstance(message, tuple) else (message,)) if m)
    return found


def js_messages(source: str) -> set[str]:
    """Double-quoted literals given to `t(...)` in a JS module."""
    return {json.loads(f'"{m.group(1)}"') for m in JS_MESSAGE_RE.finditer(source)}


def extract_messages(root: Path = ROOT) -> set[str]:
    """Every message the code can show, from every source in MESSAGE_SOURCES."""
    found: set[str] = set()
    trees: dict[str, list[ast.Module]] = {}
    for pattern, kind in MESSAGE_SOURCES:
        texts = [p.read_text(encoding="utf-8") for p in sorted(root.glob(pattern))]
        if kind in ("register", "relay"):
            trees.setdefault(kind, []).extend(ast.parse(text) for text in texts)
        else:
            extract = jinja_messages if kind == "jinja" else js_messages
            for text in texts:
                found |= extract(text)
    carriers = {"register": _error_classes(trees.get("register", [])), "relay": PHRASES}
    for kind, parsed in trees.items():
        for tree in parsed:
            found |= python_messages(tree, carriers[kind])
    return found


def catalog_paths(root: Path = ROOT) -> list[Path]:
    return sorted((root / "pwa" / "static" / "i18n").glob("*.json"))


def write_catalog(path: Path, messages: dict[str, str]) -> None:
    text = json.dumps(messages, ensure_ascii=False, indent=2, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")


def _fields(text: str) -> set[str] | None:
    """The `{name}` fields of a format string; None if it is not one."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return None


def catalog_problems(messages: set[str], catalog: dict[str, str]) -> list[str]:
    """What a catalog lacks or has wrong, one line each: missing, empty, stale, broken."""
    problems = [f"missing: {m!r}" for m in sorted(messages - catalog.keys())]
    for msgid, msgstr in sorted(catalog.items()):
        if msgid not in messages:
            problems.append(f"stale: {msgid!r}")
        elif not msgstr:
            problems.append(f"empty: {msgid!r}")
        elif (fields := _fields(msgid)) is not None and _fields(msgstr) != fields:
            problems.append(f"broken: {msgid!r} -> {msgstr!r} (its {{fields}} differ)")
    return problems


def messages_command(check: bool, root: Path = ROOT) -> int:
    """Bring every catalog in line with the code, or (check) list what is not; 1 on problems."""
    messages = extract_messages(root)
    failed = False
    for path in catalog_paths(root):
        catalog = json.loads(path.read_text(encoding="utf-8"))
        if check:
            problems = catalog_problems(messages, catalog)
            for problem in problems:
                print(f"{path.relative_to(root)}: {problem}")
            failed |= bool(problems)
            continue
        updated = {m: catalog.get(m, "") for m in messages}
        write_catalog(path, updated)
        added, removed = len(messages - catalog.keys()), len(catalog.keys() - messages)
        todo = sum(1 for v in updated.values() if not v)
        print(f"{path.relative_to(root)}: {added} added, {removed} removed, {todo} to translate")
    return 1 if failed else 0


def build(dist: Path) -> dict:
    started = time.monotonic()
    pyodide_dir = fetch_pyodide()
    stdlib, pyc_dirs = compile_python(pyodide_dir)

    staging = dist.with_name(dist.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    site = Site(staging)

    runtime = {name: (pyodide_dir / name).read_bytes() for name in PYODIDE_RUNTIME}
    runtime["python_stdlib.zip"] = trim_stdlib(stdlib)
    runtime_dir = f"/pyodide/{PYODIDE_VERSION}-{short_hash(b''.join(runtime.values()))}/"
    for name, data in runtime.items():
        site.write(runtime_dir + name, data)

    wheels = {name: build_wheel(name, pyc_dirs[name]) for name in OUR_PACKAGES}
    lock = lock_file(pyodide_dir, wheels)
    py_dir = f"/py/{short_hash(lock)}/"
    for file_name, data in wheels.values():
        site.write(py_dir + file_name, data)
    site.write(py_dir + "pyodide-lock.json", lock)

    scripts = hash_scripts(site)
    styles = [
        site.hashed(p.name, p.read_bytes()) for p in sorted((PWA / "static" / "css").glob("*.css"))
    ]
    icons = {
        p.name: site.hashed(p.name, p.read_bytes())
        for p in sorted((PWA / "static" / "icons").glob("*.png"))
    }
    templates = jinja2.Environment(
        loader=jinja2.FileSystemLoader(PWA / "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    # Pages are built once for every language: they hold the English, the browser translates.
    templates.globals["_"] = lambda message: message
    manifest = templates.get_template("manifest.webmanifest").render(icons=icons)
    # Compact, and without the empty translations (those fall back to English anyway).
    catalogs = [
        site.write(
            f"/i18n/{path.name}",
            json.dumps(
                {k: v for k, v in json.loads(path.read_text(encoding="utf-8")).items() if v},
                ensure_ascii=False,
                separators=(",", ":"),
                sort_keys=True,
            ).encode(),
            precache=False,
        )
        for path in catalog_paths()
    ]
    manifest_url = site.hashed("manifest.webmanifest", manifest.encode())

    boot = {
        "indexURL": runtime_dir,
        "lockFileURL": py_dir + "pyodide-lock.json",
        "packageBaseUrl": py_dir,
        "packages": list(OUR_PACKAGES),
    }
    # Every module the start needs is fetched and compiled at once, not as each import is found
    # (boot.js's imports, then Pyodide's two, which its loader asks for one after the other).
    preload = [
        *(url for name, url in sorted(scripts.items()) if name != "boot.js"),
        runtime_dir + "pyodide.mjs",
        runtime_dir + "pyodide.asm.mjs",
    ]
    index = templates.get_template("index.html").render(
        boot=boot,
        scripts=scripts,
        preload=preload,
        styles=styles,
        manifest=manifest_url,
        icons=icons,
    )
    site.write("/index.html", index.encode(), precache=False)
    precache = [*SHELL, *site.urls]
    version = short_hash(json.dumps(precache).encode())
    sw = templates.get_template("sw.js").render(
        version=version, precache=precache, shell=SHELL, scripts=scripts, catalogs=catalogs
    )
    site.write("/sw.js", sw.encode(), precache=False)
    encoded = precompress(staging, runtime_dir)
    sizes = {u: (staging / u.lstrip("/")).stat().st_size for u in site.urls}
    build_info = {
        "version": version,
        "pyodide": PYODIDE_VERSION,
        "boot": boot,
        "precache": precache,
        "catalogs": catalogs,
        "bytes": sum(sizes.values()),
        # What the precache costs over the wire to a browser that takes the copies.
        "encoded_bytes": sum(encoded.get(u, size) for u, size in sizes.items()),
        "encoding": ENCODING_SUFFIX.lstrip("."),
    }
    site.write("/build.json", json.dumps(build_info, indent=1).encode(), precache=False)

    shutil.rmtree(dist, ignore_errors=True)
    staging.rename(dist)
    print(
        f"built {dist.relative_to(ROOT) if dist.is_relative_to(ROOT) else dist} "
        f"version {version}: {len(precache)} precached URLs, "
        f"{build_info['bytes'] / 1e6:.1f} MB ({build_info['encoded_bytes'] / 1e6:.1f} MB "
        f"{build_info['encoding']}), in {time.monotonic() - started:.1f} s",
        flush=True,
    )
    return build_info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "command",
        nargs="?",
        choices=("build", "messages"),
        default="build",
        help="messages: extract the messages from the code into the catalogs",
    )
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--clean", action="store_true", help="drop the build cache first")
    parser.add_argument("--check", action="store_true", help="messages: only report problems")
    args = parser.parse_args(argv)
    if args.command == "messages":
        return messages_command(args.check)
    CACHE.mkdir(parents=True, exist_ok=True)
    # One build at a time on this checkout: two would share the staging folder and the cache.
    with open(CACHE / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if args.clean:
            shutil.rmtree(CACHE / "compiled", ignore_errors=True)
        build(args.dist.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
