"""Words for a person that each place says in its own language.

The journal and the manager's decisions answer in English, which the CLI prints and the logs keep.
/admin says the same in the manager's language: a `Phrase` is that English text (it is a `str`)
remembering its template and values, which `build.py messages` extracts like any `_("...")`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Phrase"]


class Phrase(str):
    """English text made from `template` and `values`, keeping both for a translation."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, **values: Any) -> Phrase:
        phrase = super().__new__(cls, template.format(**values) if values else template)
        phrase.template, phrase.values = template, values
        return phrase
