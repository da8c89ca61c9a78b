"""What a client asks for in an Accept or Accept-Language header, by preference.

One reading of `value;q=weight` lists, for both headers: the admin pages answer JSON to programs
(Accept) and speak the browser's language (Accept-Language).
"""

from __future__ import annotations

__all__ = ["preferences"]


def preferences(header: str) -> list[tuple[str, float, int]]:
    """(value, quality, place) for each entry of the header, in the order given; an unreadable
    quality counts as 0 (not wanted)."""
    found = []
    for place, part in enumerate(header.split(",")):
        value, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, weight = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(weight)
                except ValueError:
                    quality = 0.0
        found.append((value, quality, place))
    return found
