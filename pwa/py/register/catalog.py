"""The products a terminal can sell, indexed for the scanner and the search box.

The terminal holds the whole catalog in memory (100,000 products must stay fast): dict indexes for
id, barcode, internal reference and POS category, and a precomputed lowercase key per product so a
search is one linear scan with substring tests and no per-query allocation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
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
        )


def _search_key(product: Product) -> str:
    # "\n" separates name and code so a typed word never matches across the two.
    return f"{product.name.lower()}\n{(product.default_code or '').lower()}"


class Catalog:
    """All sellable products with lookups by id, barcode, reference, category and text."""

    def __init__(self, products: Iterable[Product] = ()) -> None:
        self._by_id: dict[int, Product] = {}
        self._by_barcode: dict[str, int] = {}
        self._by_code: dict[str, int] = {}
        self._by_pos_categ: dict[int | None, dict[int, None]] = {}  # ordered sets of ids
        self._keys: dict[int, tuple[str, str]] = {}  # id -> (name/code key, barcode)
        for product in products:
            self._put(product)

    # -- maintenance -------------------------------------------------------------------------

    def _put(self, product: Product) -> None:
        old = self._by_id.get(product.id)
        if old is not None:
            self._drop(old)
        self._by_id[product.id] = product
        if product.barcode:
            self._by_barcode[product.barcode] = product.id
        if product.default_code:
            self._by_code[product.default_code] = product.id
        self._by_pos_categ.setdefault(product.pos_categ_id, {})[product.id] = None
        self._keys[product.id] = (_search_key(product), product.barcode or "")

    def _drop(self, product: Product) -> None:
        del self._by_id[product.id]
        del self._keys[product.id]
        # Another product may have taken over the barcode/code; only forget our own entry.
        if product.barcode and self._by_barcode.get(product.barcode) == product.id:
            del self._by_barcode[product.barcode]
        if product.default_code and self._by_code.get(product.default_code) == product.id:
            del self._by_code[product.default_code]
        members = self._by_pos_categ.get(product.pos_categ_id)
        if members is not None:
            members.pop(product.id, None)
            if not members:
                del self._by_pos_categ[product.pos_categ_id]

    def apply(self, records: Iterable[dict[str, Any]]) -> int:
        """Apply a page of catalog records (upserts; `"active": false` removes); count changes."""
        changed = 0
        for record in records:
            product_id = int(record["id"])
            if record.get("active", True) is False:
                old = self._by_id.get(product_id)
                if old is not None:
                    self._drop(old)
                    changed += 1
                continue
            product = Product.from_record(record)
            if self._by_id.get(product_id) != product:
                self._put(product)
                changed += 1
        return changed

    # -- lookups -----------------------------------------------------------------------------

    def get(self, product_id: int) -> Product | None:
        """The product with this id, or None."""
        return self._by_id.get(product_id)

    def by_barcode(self, code: str) -> Product | None:
        """The product with exactly this barcode, or None."""
        product_id = self._by_barcode.get(code)
        return None if product_id is None else self._by_id[product_id]

    def by_code(self, default_code: str) -> Product | None:
        """The product with exactly this internal reference, or None."""
        product_id = self._by_code.get(default_code)
        return None if product_id is None else self._by_id[product_id]

    def in_category(self, pos_categ_id: int | None) -> list[Product]:
        """Products of one POS category (the till's grid), in catalog order."""
        members = self._by_pos_categ.get(pos_categ_id, {})
        return [self._by_id[product_id] for product_id in members]

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
        for product_id, (key, barcode) in self._keys.items():
            if len(found) >= limit:
                break
            for word in words:
                if word not in key and not barcode.startswith(word):
                    break
            else:
                if exact is None or product_id != exact.id:
                    found.append(self._by_id[product_id])
        return found[:limit]

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Product]:
        return iter(list(self._by_id.values()))

    def __contains__(self, product_id: object) -> bool:
        return product_id in self._by_id
