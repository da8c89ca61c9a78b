"""Actions: what a tap, an Enter or a scan asks the till to do, registered by the screen they belong to.

Each screen module keeps its own `actions = Actions()` and decorates its handlers with the action name
the HTML carries (`data-action="park"`); the core (`app.Till`) routes every action through them. So a
screen's buttons and what they do live in one file, and the core stays small.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import Till

__all__ = ["Actions", "Handler", "merged"]

Handler = Callable[["Till", dict[str, Any]], Awaitable[None]]


class Actions:
    """A screen's action names and their handlers, each `async def handler(till, data)`."""

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}

    def __call__(self, name: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            if name in self.handlers:
                raise ValueError(f"action {name!r} is registered twice")
            self.handlers[name] = handler
            return handler

        return register


def merged(groups: Iterable[Actions]) -> dict[str, Handler]:
    """Every screen's actions in one table; an action name belongs to one screen only."""
    table: dict[str, Handler] = {}
    for group in groups:
        for name, handler in group.handlers.items():
            if name in table:
                raise ValueError(f"action {name!r} belongs to two screens")
            table[name] = handler
    return table
