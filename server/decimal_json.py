"""JSON with exact money: Decimals are written as JSON numbers from their exact text, never via float.

Odoo speaks JSON numbers for amounts; kasir keeps Decimals. Going through float would round
(0.1 + 0.2), so both the relay's Odoo client and the sandbox write numbers with this one encoder,
and read them back with `json.loads(..., parse_float=Decimal)`.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any


def number_text(value: Decimal, *, like_float: bool = False) -> str:
    """The exact JSON number for `value`; `like_float` always writes a decimal point, as Odoo does."""
    if not value.is_finite():
        raise ValueError(f"cannot write {value} as a JSON number")
    text = format(value, "f")
    if like_float and "." not in text:
        text += ".0"
    return "0.0" if like_float and value == 0 else text


def dumps(value: Any, *, like_float: bool = False) -> str:
    """JSON text of `value`, Decimals exact; floats are refused so none slips in by accident."""
    if isinstance(value, Decimal):
        return number_text(value, like_float=like_float)
    if isinstance(value, dict):
        items = (
            f"{json.dumps(str(k))}:{dumps(v, like_float=like_float)}" for k, v in value.items()
        )
        return "{" + ",".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(dumps(v, like_float=like_float) for v in value) + "]"
    if isinstance(value, float):
        raise TypeError("floats are not money: use Decimal")
    return json.dumps(value, ensure_ascii=False)
