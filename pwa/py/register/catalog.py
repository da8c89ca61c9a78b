"""The products a terminal can sell, indexed for the scanner and the search box.

The terminal holds the whole catalog in memory and 100,000 products must be ready in well under a
second in Pyodide, so loading does as little as it can:
- a record stays the dict the relay sent until someone asks for it; `Product` objects (Decimal
  prices, tuples) are built on first use and kept;
- dict indexes for id, barcode, internal reference and POS category are filled while loading,
  with the cyclic garbage collector paused (it would otherwise walk the growing heap of records
  again and again, which costs more than the loading itself);
- the search text is one lowercase string of all products, built at the first search after a
  change; a query scans it with `str.find` (C speed) for its longest word and checks only the
  products found that way, in catalog order.
"""

from __future__ import annotations

import gc
import json
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate, islice
from typing import Any

from .money import to_decimal

__all__ = ["Catalog", "Product"]


@dataclass(frozen=True, slots=True)
class Product:
    """A product.product as the till sells it; prices are Decimal, ids are ints."""

    id: int
    template_id: int | None = None
    name: str = ""
    category_ids: tuple[int, ...] = ()  # product.category and all its ancestors (for pricelists)
    list_price: Decimal = Decimal(0)
    standard_price: Decimal = Decimal(0)
    barcode: str | None = None
    default_code: str | None = None
    tax_ids: tuple[int, ...] = ()
    pos_categ_id: int | None = None
    uom: str = "Units"
    uom_decimals: int = 0  # decimals a quantity may have: 0 for units, up to 3 (kg, litres)
    image: str | None = None  # the version of its picture on the relay; None: it has none

    def __post_init__(self) -> None:
        object.__setattr__(self, "list_price", to_decimal(self.list_price))
        object.__setattr__(self, "standard_price", to_decimal(self.standard_price))
        object.__setattr__(self, "category_ids", tuple(self.category_ids))
        object.__setattr__(self, "tax_ids", tuple(self.tax_ids))

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Product:
        """Build from a catalog record of the relay (money as decimal strings)."""
        categ_id = record.get("categ_id")
        category_ids = record.get("category_ids")
        if not category_ids:
            category_ids = [categ_id] if categ_id else []
        return cls(
            id=int(record["id"]),
            template_id=record.get("template_id"),
            name=record.get("name") or "",
            category_ids=tuple(int(c) for c in category_ids),
            list_price=to_decimal(record.get("list_price") or "0"),
            standard_price=to_decimal(record.get("standard_price") or "0"),
            barcode=record.get("barcode") or None,
            default_code=record.get("default_code") or None,
            tax_ids=tuple(int(t) for t in record.get("tax_ids") or ()),
            pos_categ_id=record.get("pos_categ_id") or None,
            uom=record.get("uom") or "Units",
            uom_decimals=min(max(int(record.get("uom_decimals") or 0), 0), 3),
            image=record.get("image") or None,
        )


# Between two products in the search text; never typed, and `split()` keeps it out of words.
_SEPARATOR = "\x00"
# A bulk load of at least this many records is frozen out of the cyclic GC (see apply_json).
FREEZE_AFTER = 10_000


def _matches(words: list[str], name: str, code: str | None, barcode: str | None) -> bool:
    """Every word is in the name or the reference, or starts the barcode."""
    # "\n" separates name and code so a typed word never matches across the two.
    key = f"{name.lower()}\n{(code or '').lower()}"
    barcode = barcode or ""
    return all(word in key or barcode.startswith(word) for word in words)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic GC during a bulk load (only allocations, nothing cyclic to free)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Catalog:
    """All sellable products with lookups by id, barcode, reference, category and text."""

    def __init__(self, products: Iterable[Product] = ()) -> None:
        # id -> Product, or the relay's record until the product is first asked for; in
        # catalog order (an update moves a product to the end, as a new record would).
        self._entries: dict[int, Product | dict[str, Any]] = {}
        self._by_barcode: dict[str, int] = {}
        self._by_code: dict[str, int] = {}
        self._by_pos_categ: dict[Any, dict[int, None]] = {}  # ordered sets of ids
        self._text: str | None = None  # the search text; None: to build at the next search
        self._text_ids: list[int] = []
        self._text_starts: list[int] = []
        for product in products:
            self._put(product.id, product)

    # -- maintenance -------------------------------------------------------------------------

    @staticmethod
    def _fields(entry: Product | dict[str, Any]) -> tuple[Any, Any, Any]:
        """(barcode, default_code, pos_categ_id) of an entry, as Product.from_record reads them."""
        if isinstance(entry, Product):
            return entry.barcode, entry.default_code, entry.pos_categ_id
        get = entry.get
        return get("barcode") or None, get("default_code") or None, get("pos_categ_id") or None

    def _put(self, product_id: int, entry: Product | dict[str, Any]) -> None:
        entries = self._entries
        if product_id in entries:
            self._drop(product_id)
        entries[product_id] = entry
        if isinstance(entry, Product):
            barcode, code, pos_categ_id = entry.barcode, entry.default_code, entry.pos_categ_id
        else:
            get = entry.get
            barcode, code, pos_categ_id = get("barcode"), get("default_code"), get("pos_categ_id")
        if barcode:
            self._by_barcode[barcode] = product_id
        if code:
            self._by_code[code] = product_id
        members = self._by_pos_categ.get(pos_categ_id or None)
        if members is None:
            members = self._by_pos_categ[pos_categ_id or None] = {}
        members[product_id] = None
        self._text = None

    def _drop(self, product_id: int) -> None:
        barcode, code, pos_categ_id = self._fields(self._entries.pop(product_id))
        # Another product may have taken over the barcode/code; only forget our own entry.
        if barcode and self._by_barcode.get(barcode) == product_id:
            del self._by_barcode[barcode]
        if code and self._by_code.get(code) == product_id:
            del self._by_code[code]
        members = self._by_pos_categ.get(pos_categ_id)
        if members is not None:
            members.pop(product_id, None)
            if not members:
                del self._by_pos_categ[pos_categ_id]
        self._text = None

    def apply(self, records: Iterable[dict[str, Any]]) -> int:
        """Apply a page of catalog records (upserts; `"active": false` removes); count changes.

        The records are kept as they are (not copied) until their products are asked for.
        """
        changed = 0
        entries = self._entries
        by_barcode, by_code, by_pos_categ = self._by_barcode, self._by_code, self._by_pos_categ
        with _collector_paused():
            for record in records:
                product_id = int(record["id"])
                old = entries.get(product_id)
                get = record.get
                if old is None and get("active", True) is not False:
                    # A new product (the whole first load): `_put` inlined.
                    entries[product_id] = record
                    barcode = get("barcode")
                    if barcode:
                        by_barcode[barcode] = product_id
                    code = get("default_code")
                    if code:
                        by_code[code] = product_id
                    pos_categ_id = get("pos_categ_id") or None
                    members = by_pos_categ.get(pos_categ_id)
                    if members is None:
                        members = by_pos_categ[pos_categ_id] = {}
                    members[product_id] = None
                    changed += 1
                    continue
                if get("active", True) is False:
                    if old is not None:
                        self._drop(product_id)
                        changed += 1
                    continue
                if old is not None:
                    if old is record:
                        continue
                    if isinstance(old, dict) and old == record:
                        continue
                    # Same product in other words ("3500" vs "3500.00") is no change either.
                    before = old if isinstance(old, Product) else Product.from_record(old)
                    if before == Product.from_record(record):
                        continue
                self._put(product_id, record)
                changed += 1
        if changed:
            self._text = None
        return changed

    def apply_json(self, text: str | bytes) -> int:
        """`apply` of a JSON array of records (the catalog as the device stores it).

        Parsing 100,000 records allocates as much as the load itself; the collector stays
        paused for both, which is what makes a big catalog ready fast.
        """
        with _collector_paused():
            changed = self.apply(json.loads(text))
        if changed >= FREEZE_AFTER:
            # The catalog lives as long as the till: move it (and whatever else is alive now,
            # the app's long-lived objects) out of the collector's sight, or every later
            # collection of old objects walks 100,000 records again, in the middle of a scan.
            gc.freeze()
        return changed

    # -- lookups -----------------------------------------------------------------------------

    def get(self, product_id: int) -> Product | None:
        """The product with this id, or None."""
        entry = self._entries.get(product_id)
        if entry is None or isinstance(entry, Product):
            return entry
        product = Product.from_record(entry)
        self._entries[product_id] = product  # same key: catalog order is kept
        return product

    def by_barcode(self, code: str) -> Product | None:
        """The product with exactly this barcode, or None."""
        product_id = self._by_barcode.get(code)
        return None if product_id is None else self.get(product_id)

    def by_code(self, default_code: str) -> Product | None:
        """The product with exactly this internal reference, or None."""
        product_id = self._by_code.get(default_code)
        return None if product_id is None else self.get(product_id)

    def first(self, limit: int) -> list[Product]:
        """The first `limit` products in catalog order (the till's grid): only those are made
        into Products, so a grid of 60 costs the same with 100 products as with 100,000."""
        get = self.get
        return [get(product_id) for product_id in islice(self._entries, limit)]  # type: ignore[misc]

    def in_category(self, pos_categ_id: int | None, limit: int | None = None) -> list[Product]:
        """Products of one POS category (the till's grid), in catalog order, at most `limit`."""
        members = self._by_pos_categ.get(pos_categ_id, {})
        get = self.get
        return [get(product_id) for product_id in islice(members, limit)]  # type: ignore[misc]

    def _search_text(self) -> str:
        """All products' name, reference and barcode, lowercase, one product per segment."""
        if self._text is None:
            parts = []
            for entry in self._entries.values():
                if isinstance(entry, Product):
                    name, code, barcode = entry.name, entry.default_code, entry.barcode
                else:
                    get = entry.get
                    name, code, barcode = get("name"), get("default_code"), get("barcode")
                parts.append(f"{name or ''}\n{code or ''}\n{barcode or ''}{_SEPARATOR}")
            self._text_ids = list(self._entries)
            self._text_starts = [0, *accumulate(map(len, parts))]
            # Lowercasing once is much cheaper than per product; a lowercased barcode still
            # contains every lowercase prefix the exact check below can accept.
            self._text = "".join(parts).lower()
        return self._text

    def search(self, text: str, limit: int = 50) -> list[Product]:
        """Products where every word of `text` is in the name or reference, or starts the barcode.

        An exact barcode or reference hit comes first; the rest follow in catalog order.
        """
        words = text.lower().split()
        if not words or limit <= 0:
            return []
        found: list[Product] = []
        exact = self.by_barcode(text.strip()) or self.by_code(text.strip())
        if exact is not None:
            found.append(exact)
        # Every match contains the longest word somewhere in its segment: find those segments
        # with str.find, drop the ones missing another word (C-level finds, no copies), and
        # check the rest exactly.
        haystack = self._search_text()
        anchor = max(words, key=len)
        others = [word for word in words if word is not anchor]
        if _SEPARATOR in text:
            others = []  # never typed; without the cheap reject the exact check still decides
        ids, starts, entries = self._text_ids, self._text_starts, self._entries
        find, rfind = haystack.find, haystack.rfind
        position = 0
        while len(found) < limit:
            hit = find(anchor, position)
            if hit < 0:
                break
            first = rfind(_SEPARATOR, 0, hit) + 1
            position = find(_SEPARATOR, hit) + 1 or len(haystack)
            rejected = False
            for word in others:
                if find(word, first, position) < 0:
                    rejected = True
                    break
            if rejected:
                continue
            product_id = ids[bisect_right(starts, hit) - 1]
            if exact is not None and product_id == exact.id:
                continue
            entry = entries[product_id]
            if isinstance(entry, Product):
                name, code, barcode = entry.name, entry.default_code, entry.barcode
            else:
                get = entry.get
                name, code, barcode = get("name") or "", get("default_code"), get("barcode")
            if _matches(words, name, code or None, barcode or None):
                found.append(self.get(product_id))  # type: ignore[arg-type]
        return found[:limit]

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Product]:
        get = self.get
        # Products are made as they are asked for, over the ids as they were when it started.
        return (get(product_id) for product_id in list(self._entries))  # type: ignore[misc]

    def __contains__(self, product_id: object) -> bool:
        return product_id in self._entries
