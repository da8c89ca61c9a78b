"""What the page is sent: a kept fragment (a sale's line, a tile) the page already shows comes as
its root element alone, marked data-kept, with the version the page holds (till/views.py Page);
the whole screen when asked, and to anything other than the page."""

from __future__ import annotations

import pytest
from test_till import Node, Tree, run, started
from till.views import PAGE


def parsed(html: str) -> Node:
    parser = Tree()
    parser.feed(html)
    parser.close()
    return parser.root


def drawn(till, *, whole: bool = False) -> Node:
    return parsed(PAGE.draw(till.render, whole=whole))


def lines(page: Node) -> dict[str, Node]:
    return {n.attrs["data-line-uuid"]: n for n in page.one("cart-lines").find_all("li")}


def kept(nodes) -> list[bool]:
    return ["data-kept" in n.attrs for n in nodes]


def test_what_the_page_shows_is_not_sent_again_and_a_change_is_sent_whole() -> None:
    till = started()
    for product_id in ("101", "102", "103"):
        run(till.handle("add", {"arg": product_id}))
    first = lines(drawn(till))
    assert len(first) == 3 and kept(first.values()) == [False] * 3
    tiles = drawn(till).one("grid").find_all("button")
    assert tiles and all(kept(tiles))
    assert all(set(tile.attrs) == {"data-v", "data-kept"} for tile in tiles)  # keyed by place

    run(till.handle("add", {"arg": "101"}))  # the first line's quantity and the highlight change
    second = lines(drawn(till))
    assert list(second) == list(first)
    for uuid, node in second.items():
        if "data-kept" in node.attrs:
            # An empty element with the tag, key and version of the one the page holds.
            assert node.children == []
            assert node.tag == "li"
            assert node.attrs == {
                "data-line-uuid": uuid,
                "data-v": first[uuid].attrs["data-v"],
                "data-kept": None,
            }
    uuids = list(second)
    assert kept(second.values()) == [False, True, False]  # 101's qty; 103 is no longer the last
    assert "2" in second[uuids[0]].one(f"qty-{uuids[0]}").attrs["value"]


def test_the_whole_screen_when_asked_and_outside_the_page() -> None:
    till = started()
    run(till.handle("add", {"arg": "101"}))
    drawn(till)
    assert kept(lines(drawn(till, whole=True)).values()) == [False]
    assert kept(lines(parsed(till.render())).values()) == [False]  # not for the page: whole
    # After a whole screen, the page holds what it sent: abridged again.
    assert kept(lines(drawn(till)).values()) == [True]


def test_a_failed_drawing_leaves_what_the_page_holds() -> None:
    till = started()
    run(till.handle("add", {"arg": "101"}))
    drawn(till)

    def broken() -> str:
        till.render()
        raise RuntimeError("the screen could not be drawn")

    with pytest.raises(RuntimeError):
        PAGE.draw(broken, whole=True)
    assert kept(lines(drawn(till)).values()) == [True]
