"""One logging setup for `kasir serve` and `kasir demo`: readable key=value text, or JSON lines.

Log calls pass their facts as `extra=` fields (uuid, terminal, state, attempts, odoo_id, error,
...), never only inside the message, so a log collector can index them: with
`KASIR_LOG_FORMAT=json` each record is one JSON object per line; by default the same fields follow
the message as key=value pairs a person can read and grep.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

# Attributes every LogRecord has; anything else on a record came in through `extra=`.
_STANDARD = set(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {
    "message",
    "asctime",
    "taskName",
}
FORMATS = ("text", "json")


def fields(record: logging.LogRecord) -> dict[str, Any]:
    """The `extra=` fields of a record, in the order they were given, None values left out."""
    return {
        key: value
        for key, value in vars(record).items()
        if key not in _STANDARD and not key.startswith("_") and value is not None
    }


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, str | int | bool) or value is None:
        return value
    return str(value)  # Decimal and the like: exact text, never a float


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC ISO-8601), level, logger, message, then the fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in fields(record).items():
            entry.setdefault(key, _plain(value))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """`2026-11-23 20:41:05,123 INFO kasir.forwarder transition uuid=... state=posted`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        extra = " ".join(f"{key}={_text(value)}" for key, value in fields(record).items())
        if not extra:
            return text
        head, newline, rest = text.partition("\n")  # keep a traceback below the fields
        return f"{head} {extra}{newline}{rest}"


def _text(value: Any) -> str:
    value = _plain(value)
    if isinstance(value, str) and (not value or any(c.isspace() or c in "\"'=" for c in value)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def setup(env: Mapping[str, str] | None = None, stream: TextIO | None = None) -> str:
    """Configure the root logger from KASIR_LOG_FORMAT (text|json) and KASIR_LOG_LEVEL; returns
    the format used. Replaces earlier handlers, so calling it twice is harmless."""
    env = os.environ if env is None else env
    chosen = env.get("KASIR_LOG_FORMAT", "text").strip().lower() or "text"
    if chosen not in FORMATS:
        chosen = "text"
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if chosen == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    level = env.get("KASIR_LOG_LEVEL", "INFO").strip().upper() or "INFO"
    root.setLevel(level if level in logging.getLevelNamesMapping() else "INFO")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per Odoo call is noise
    return chosen
