"""A document's revision tree, built from its leaves and laid out for drawing: pure functions, no HTTP.

The leaves come from GET /{db}/{docid}?open_revs=all&revs=true (or _bulk_get with revs=true): each leaf
carries `_revisions` = {"start": n, "ids": [newest, ..., oldest]}. Shared ancestors are merged into one
tree; the winning leaf's branch is drawn first (lane 0) and every other leaf takes a lane of its own,
starting where it forks. Long linear runs collapse to one "… n revisions …" gap, so a branch of 1,000
revisions draws as a handful of nodes; past MAX_LEAVES leaves, the rest are counted, not drawn.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from browser.couch.jsontext import Json, JsonNumber

MAX_LEAVES = 100  # lanes drawn; a document with more leaves says how many were left out
KEEP_NEAR = 2  # revisions kept on each side of a fork, a root, a leaf or the revision being looked at
MIN_GAP = 3  # a run shorter than this is drawn node by node
COL_W, ROW_H, PAD, PAD_LEFT, LEAF_LABEL_W = 92, 46, 24, 48, 86
SHORT_HASH = 6
# An SVG path's "d", whether it runs along the winning branch, and whether it runs through a gap (dashed).
Edge = tuple[str, bool, bool]


@dataclass(frozen=True)
class Node:
    rev: str
    label: str  # "12-ab34cd": the generation and the start of the hash
    kind: str  # "winner", "conflict", "deleted" (a leaf), or "" (an ancestor)
    available: bool | None  # whether CouchDB keeps its body; None: not known (an ancestor off the winning branch)
    lane: int
    x: int
    cx: int
    cy: int
    focus: bool = False

    @property
    def is_leaf(self) -> bool:
        return bool(self.kind)

    @property
    def status(self) -> str:
        words = {"winner": "winning leaf", "conflict": "conflict (losing leaf)",
                 "deleted": "deleted leaf (tombstone)"}.get(self.kind, "")
        kept = {True: "", False: "body removed by compaction", None: ""}[self.available]
        return ", ".join(w for w in (words, kept) if w)


@dataclass(frozen=True)
class Gap:
    """Revisions collapsed into one slot: `count` of them, from `first` (oldest) to `last`."""

    count: int
    first: str
    last: str
    lane: int
    x: int
    cx: int
    cy: int

    is_gap = True


@dataclass(frozen=True)
class Branch:
    lane: int
    kind: str  # the kind of its leaf
    leaf: str
    fork: str | None  # the revision it branches off from; None when it starts at a root
    items: tuple[Node | Gap, ...]  # oldest first


@dataclass(frozen=True)
class RevisionTree:
    branches: tuple[Branch, ...]
    edges: tuple[Edge, ...]
    width: int
    height: int
    omitted_leaves: int
    revision_count: int  # distinct revisions known (drawn or collapsed)

    @property
    def nodes(self) -> tuple[Node, ...]:
        return tuple(item for branch in self.branches for item in branch.items if isinstance(item, Node))

    @property
    def gaps(self) -> tuple[Gap, ...]:
        return tuple(item for branch in self.branches for item in branch.items if isinstance(item, Gap))

    @property
    def conflict_count(self) -> int:
        return sum(1 for b in self.branches if b.kind == "conflict")

    @property
    def deleted_count(self) -> int:
        return sum(1 for b in self.branches if b.kind == "deleted")


def generation(rev: str) -> int:
    number = rev.split("-", 1)[0]
    return int(number) if number.isascii() and number.isdigit() else 0


def short_label(rev: str) -> str:
    number, dash, digest = rev.partition("-")
    if not dash:
        return rev[:SHORT_HASH + 6]
    return f"{number[:8]}-{digest[:SHORT_HASH]}"


def leaf_path(doc: Json) -> list[str] | None:
    """The leaf's rev and its ancestors, newest first, from its `_revisions`; just the leaf when absent or
    malformed. None when the item is not a document with a rev."""
    rev = doc.get("_rev") if isinstance(doc, dict) else None
    if not isinstance(rev, str) or not rev:
        return None
    history = doc.get("_revisions")
    start = history.get("start") if isinstance(history, dict) else None
    ids = history.get("ids") if isinstance(history, dict) else None
    if isinstance(start, JsonNumber) and start.isdigit():
        start = int(start)
    if not isinstance(start, int) or isinstance(start, bool) or not isinstance(ids, list):
        return [rev]
    path = [f"{start - i}-{rev_id}" for i, rev_id in enumerate(ids[:start]) if isinstance(rev_id, str)]
    if len(path) != min(len(ids), start) or not path or path[0] != rev:
        return [rev]
    return path


def winner_key(leaf: tuple[str, bool]) -> tuple[bool, int, str]:
    # CouchDB's choice: a live leaf beats a deleted one, then the longer history, then the greater rev.
    rev, deleted = leaf
    return (not deleted, generation(rev), rev)


def build_tree(leaf_docs: Iterable[Json], winner: str | None = None, revs_info: Json = (),
               focus: str | None = None) -> RevisionTree:
    """The tree of the given leaf documents, laid out. `winner` overrides CouchDB's choice as computed here;
    `revs_info` (the winner's _revs_info) says which bodies compaction kept; `focus` is kept visible."""
    paths: dict[str, list[str]] = {}
    deleted: dict[str, bool] = {}
    for doc in leaf_docs:
        path = leaf_path(doc)
        if path and path[0] not in paths:
            paths[path[0]] = path
            deleted[path[0]] = doc.get("_deleted") is True
    leaves = sorted(((rev, deleted[rev]) for rev in paths), key=winner_key, reverse=True)
    if winner in paths:
        leaves.sort(key=lambda leaf: leaf[0] != winner)  # stable: the rest keep CouchDB's order
    drawn, omitted = leaves[:MAX_LEAVES], len(leaves) - MAX_LEAVES
    kinds = {rev: "deleted" if dead else "conflict" for rev, dead in drawn}
    if drawn:
        kinds[drawn[0][0]] = "winner"
    parent, children = _links(paths[rev] for rev, _ in drawn)
    availability = _availability(revs_info, kinds)
    lanes: dict[str, int] = {}
    branches: list[Branch] = []
    x_of: dict[str, int] = {}
    for leaf, _ in drawn:
        chain: list[str] = []
        node: str | None = leaf
        while node is not None and node not in lanes:
            chain.append(node)
            node = parent.get(node)
        if not chain:
            continue
        lane = len(branches)
        lanes.update(dict.fromkeys(chain, lane))
        chain.reverse()
        start_x = x_of[node] + 1 if node is not None else 0
        items = _collapse(chain, lane, start_x, kinds, children, availability, focus)
        for item in items:
            if isinstance(item, Node):
                x_of[item.rev] = item.x
        branches.append(Branch(lane, kinds.get(leaf, ""), leaf, node, tuple(items)))
    edges = _edges(branches, x_of, lanes)
    width = PAD_LEFT + PAD + LEAF_LABEL_W + COL_W * max((b.items[-1].x for b in branches), default=0)
    return RevisionTree(tuple(branches), tuple(edges), width, PAD * 2 + ROW_H * max(len(branches) - 1, 0) + 16,
                        max(omitted, 0), len(lanes))


def _links(paths: Iterable[list[str]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    parent: dict[str, str] = {}
    children: dict[str, list[str]] = {}
    for path in paths:
        for child, par in zip(path, path[1:], strict=False):
            if child in parent:
                break  # the rest of this path is known already
            parent[child] = par
            children.setdefault(par, []).append(child)
    return parent, children


def _availability(revs_info: Json, kinds: dict[str, str]) -> dict[str, bool]:
    known = dict.fromkeys(kinds, True)  # CouchDB keeps every leaf's body (a tombstone's too)
    for info in revs_info if isinstance(revs_info, (list, tuple)) else ():
        rev = info.get("rev") if isinstance(info, dict) else None
        if isinstance(rev, str):
            known.setdefault(rev, info.get("status") in ("available", "deleted"))
    return known


def _collapse(chain: list[str], lane: int, start_x: int, kinds: dict[str, str], children: dict[str, list[str]],
              availability: dict[str, bool], focus: str | None) -> list[Node | Gap]:
    """The chain (oldest first) as nodes, with long runs of plain ancestors folded into one Gap."""
    marked = {0, len(chain) - 1} | {i for i, rev in enumerate(chain)
                                     if len(children.get(rev, ())) > 1 or rev == focus}
    keep = {j for i in marked for j in range(i - KEEP_NEAR, i + KEEP_NEAR + 1)}
    items: list[Node | Gap] = []
    run: list[str] = []

    def place() -> tuple[int, int, int]:
        x = start_x + len(items)
        return x, PAD_LEFT + x * COL_W, PAD + lane * ROW_H

    def flush() -> None:
        if len(run) >= MIN_GAP:
            x, cx, cy = place()
            items.append(Gap(len(run), run[0], run[-1], lane, x, cx, cy))
        else:
            for rev in run:
                add(rev)
        run.clear()

    def add(rev: str) -> None:
        x, cx, cy = place()
        items.append(Node(rev, short_label(rev), kinds.get(rev, ""), availability.get(rev), lane, x, cx, cy,
                          rev == focus))

    for i, rev in enumerate(chain):
        if i in keep:
            flush()
            add(rev)
        else:
            run.append(rev)
    flush()
    return items


def _edges(branches: list[Branch], x_of: dict[str, int], lanes: dict[str, int]) -> list[Edge]:
    """SVG paths: along each lane, and from a fork down to the first item of the branch leaving it."""
    edges: list[Edge] = []
    for branch in branches:
        winning = branch.lane == 0
        for before, after in zip(branch.items, branch.items[1:], strict=False):
            dashed = isinstance(before, Gap) or isinstance(after, Gap)
            edges.append((f"M{before.cx} {before.cy}H{after.cx}", winning, dashed))
        if branch.fork is not None and branch.fork in x_of:
            fx, fy = PAD_LEFT + x_of[branch.fork] * COL_W, PAD + lanes[branch.fork] * ROW_H
            first = branch.items[0]
            bend = fx + COL_W // 2
            edges.append((f"M{fx} {fy}H{bend}V{first.cy}H{first.cx}", False, False))
    return edges
