"""Product images: the relay's copy of Odoo's `image_128`, and GET /api/v1/images/<product_id>.

The mirror copies each product's image here (see `Mirror._images`); a catalog record only says
that an image exists and its version (`"image": "<version>"`), so the catalog stays small and the
till's first paint never waits for a picture. A till never talks to Odoo: it asks the relay, by
the version its catalog names, and keeps the answer for good (the URL changes with the version).

The images live in a folder beside the SQLite journal (`var/images`), one folder per product
holding one file named by its version, not in the journal: they are a copy of Odoo's that the
mirror can make again at any time, and 100,000 of them (1 to 2 GB) have no place in the file
that must keep every sale (synchronous writes, backups, a PostgreSQL queue shared by relays).
Each relay keeps its own folder.

An <img> cannot send the terminal's bearer token: the till's service worker fetches images with
it (it already reads the token for Background Sync), so no token travels in a URL, where logs,
caches and Referer headers would keep it.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

MAX_BYTES = 256 * 1024  # an image_128 is 128 px at most: a few KB, a photo as PNG ~40 KB
IMMUTABLE = "public, max-age=31536000, immutable"
VERSION = re.compile(r"^[0-9A-Za-z_-]{1,40}$")
# What an image may be, by its first bytes. No SVG: it may hold scripts, and would run them on
# the relay's own origin when opened.
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def media_type(data: bytes) -> str | None:
    """The image type of these bytes (PNG, JPEG, GIF or WebP), or None for anything else."""
    for signature, kind in SIGNATURES:
        if data.startswith(signature):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


class ImageStore:
    """`root/<product id>/<version>`: one file per product, replaced whole (write, then rename),
    so a reader sees the old image or the new one, never half of one."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _folder(self, product_id: int) -> Path:
        return self.root / str(int(product_id))

    def version(self, product_id: int) -> str | None:
        """The version stored for this product, or None."""
        try:
            names = [n for n in os.listdir(self._folder(product_id)) if not n.startswith(".")]
        except (FileNotFoundError, NotADirectoryError):
            return None
        return max(names) if names else None

    def path(self, product_id: int, version: str) -> Path:
        return self._folder(product_id) / version

    def put(self, product_id: int, version: str, data: bytes) -> None:
        """Keep `data` as this product's image at `version`, dropping any other version."""
        if not VERSION.match(version):
            raise ValueError(f"an image version is letters, digits, - or _, got {version!r}")
        folder = self._folder(product_id)
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{secrets.token_hex(8)}"
        temporary.write_bytes(data)
        os.replace(temporary, folder / version)
        for name in os.listdir(folder):
            if name != version and not name.startswith("."):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(folder / name)

    def remove(self, product_id: int) -> None:
        """Forget this product's image (it has none any more, or the product is gone)."""
        shutil.rmtree(self._folder(product_id), ignore_errors=True)


def _not_found(code: str, message: str) -> Response:
    """The relay's JSON error, never kept: the image may come with the mirror's next pass."""
    return JSONResponse(
        {"error": {"code": code, "message": message}}, 404, headers={"Cache-Control": "no-store"}
    )


async def serve(request: Request, store: ImageStore) -> Response:
    """The image of a product. `?v=` names the version the till's catalog has: that version is
    kept for a year (the URL changes with the image), any other answers 404 (a newer one is
    still on its way from Odoo, an older one is gone). Without `v`: the current one, revalidated
    with its ETag."""
    raw = request.path_params["product_id"]
    if not raw.isdigit() or len(raw) > 15:
        return _not_found("not_found", f"no such product: {raw!r}")
    product_id = int(raw)
    wanted = request.query_params.get("v")
    version = await run_in_threadpool(store.version, product_id)
    if version is None:
        return _not_found("no_image", f"product {product_id} has no image on this relay")
    if wanted is not None and wanted != version:
        return _not_found(
            "other_version",
            f"product {product_id}'s image is at version {version}, not {wanted!r}",
        )
    path = store.path(product_id, version)
    try:
        with path.open("rb") as file:
            head = file.read(16)
    except FileNotFoundError:  # replaced between the two looks: the till asks again later
        return _not_found("no_image", f"product {product_id}'s image changed; ask again")
    etag = f'"{product_id}-{version}"'
    headers = {
        "ETag": etag,
        "Cache-Control": IMMUTABLE if wanted else "no-cache",
        "X-Content-Type-Options": "nosniff",
    }
    tags = {
        t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")
    }
    if etag in tags:
        return Response(status_code=304, headers=headers)
    return FileResponse(
        path, media_type=media_type(head) or "application/octet-stream", headers=headers
    )
