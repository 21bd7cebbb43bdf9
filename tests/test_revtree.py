"""The revision tree as pure data: built from leaves with their _revisions, laid out for drawing."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from markupsafe import escape

from browser.couch.jsontext import JsonNumber
from browser.editor.revtree import MAX_LEAVES, Gap, Node, build_tree, leaf_path
from tests.support.data import HOSTILE


def leaf(rev, ids, deleted=False):
    doc = {"_id": "d", "_rev": rev, "_revisions": {"start": int(rev.split("-")[0]), "ids": ids}}
    if deleted:
        doc["_deleted"] = True
    return doc


def shown(branch):
    return [("gap", item.count) if isinstance(item, Gap) else item.rev for item in branch.items]


def test_a_linear_history_is_one_winning_branch():
    tree = build_tree([leaf("3-c", ["c", "b", "a"])], revs_info=[
        {"rev": "3-c", "status": "available"}, {"rev": "2-b", "status": "missing"},
        {"rev": "1-a", "status": "available"}])
    (branch,) = tree.branches
    assert (branch.kind, branch.fork, shown(branch)) == ("winner", None, ["1-a", "2-b", "3-c"])
    assert [n.available for n in tree.nodes] == [True, False, True]
    assert [n.kind for n in tree.nodes] == ["", "", "winner"]
    assert all(winning for _, winning, _ in tree.edges)
    assert tree.revision_count == 3


def test_a_conflict_branches_off_the_shared_ancestor_and_the_deleted_leaf_off_its_own():
    tree = build_tree([leaf("3-c", ["c", "b", "a"]), leaf("3-x", ["x", "y", "a"]),
                       leaf("4-z", ["z", "w", "b", "a"], deleted=True)])
    winner, conflict, tomb = tree.branches
    # CouchDB's choice: live leaves first, then the longest history, then the greatest rev.
    assert (winner.kind, winner.leaf, shown(winner)) == ("winner", "3-x", ["1-a", "2-y", "3-x"])
    assert (conflict.kind, conflict.fork, shown(conflict)) == ("conflict", "1-a", ["2-b", "3-c"])
    assert (tomb.kind, tomb.fork, shown(tomb)) == ("deleted", "2-b", ["3-w", "4-z"])
    assert tree.revision_count == 7 and (tree.conflict_count, tree.deleted_count) == (1, 1)
    # Each branch starts one column right of its fork, on its own lane.
    nodes = {n.rev: n for n in tree.nodes}
    assert (nodes["2-b"].x, nodes["2-b"].lane) == (nodes["1-a"].x + 1, 1)
    assert (nodes["3-w"].x, nodes["3-w"].lane) == (nodes["2-b"].x + 1, 2)
    assert sum(1 for _, winning, _ in tree.edges if winning) == 2


def test_the_given_winner_is_drawn_first_and_every_leaf_counts_as_kept():
    tree = build_tree([leaf("2-a", ["a", "r"]), leaf("2-b", ["b", "r"])], winner="2-a")
    assert [b.leaf for b in tree.branches] == ["2-a", "2-b"]
    assert {n.rev: n.available for n in tree.nodes} == {"1-r": None, "2-a": True, "2-b": True}


def test_a_thousand_revisions_on_one_branch_fold_into_a_few_nodes():
    ids = [f"h{i}" for i in range(1000, 0, -1)]
    tree = build_tree([leaf("1000-h1000", ids)])
    (branch,) = tree.branches
    assert shown(branch) == ["1-h1", "2-h2", "3-h3", ("gap", 994), "998-h998", "999-h999", "1000-h1000"]
    assert tree.revision_count == 1000 and tree.width < 1000


def test_the_revision_being_looked_at_stays_visible_inside_a_long_run():
    ids = [f"h{i}" for i in range(1000, 0, -1)]
    tree = build_tree([leaf("1000-h1000", ids)], focus="500-h500")
    items = tree.branches[0].items
    assert [n.rev for n in items if isinstance(n, Node) and n.focus] == ["500-h500"]
    assert [g.count for g in items if isinstance(g, Gap)] == [494, 495]


def test_fifty_leaves_each_get_a_lane_and_forks_keep_their_place_in_a_long_history():
    trunk = [f"t{i}" for i in range(200, 0, -1)]
    leaves = [leaf(f"202-l{n:02}", [f"l{n:02}", f"m{n:02}", *trunk]) for n in range(50)]
    tree = build_tree(leaves)
    assert len(tree.branches) == 50 and tree.omitted_leaves == 0
    assert [b.kind for b in tree.branches].count("conflict") == 49
    assert all(b.fork == "200-t200" for b in tree.branches[1:])
    assert tree.revision_count == 200 + 50 * 2
    assert len(tree.nodes) < 200 and tree.height < 50 * 60


def test_past_the_limit_leaves_are_counted_not_drawn():
    tree = build_tree([leaf(f"2-{n:04}", [f"{n:04}", "root"]) for n in range(MAX_LEAVES + 7)])
    assert len(tree.branches) == MAX_LEAVES and tree.omitted_leaves == 7


def test_malformed_histories_are_drawn_as_lone_leaves():
    assert leaf_path({"_rev": "3-c", "_revisions": {"start": "3", "ids": ["c", "b", "a"]}}) == ["3-c"]
    assert leaf_path({"_rev": "3-c", "_revisions": {"start": JsonNumber("3"), "ids": ["c", "b", "a"]}}) == [
        "3-c", "2-b", "1-a"]
    assert leaf_path({"_rev": "3-c", "_revisions": {"start": 3, "ids": ["x", "b"]}}) == ["3-c"]
    assert leaf_path({"_rev": 3}) is None and leaf_path("junk") is None
    tree = build_tree([{"_rev": "1-a"}, "junk", {"_rev": "1-a"}, {"_rev": "9"}])
    assert sorted(b.leaf for b in tree.branches) == ["1-a", "9"]


def test_an_empty_tree_draws_nothing():
    tree = build_tree([])
    assert tree.branches == () and tree.edges == () and tree.revision_count == 0


@pytest.mark.parametrize("docid", HOSTILE["document_ids"])
def test_hostile_ids_and_revisions_are_escaped_and_linked_through_the_url_pattern(docid):
    rev_id = '<b>"&\'/?#%'
    tree = build_tree([leaf(f"2-{rev_id}", [rev_id, "a"]), leaf("2-b", ["b", "a"])], winner="2-b")
    html = render_to_string("browser/_revision_tree.html", {"tree": tree, "db": "db", "docid": docid})
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert "?rev=2-%3Cb%3E%22%26%27%2F%3F%23%25#old-heading" in html
    assert html.count('tabindex="-1"') == 3  # the drawing's links leave keyboard users to the list
    assert 'data-rev="2-&lt;b&gt;&#34;&amp;&#39;/?#%"' in html


# Through the pages, against the real server.

def _bulk(couch_server, db, docs):
    answer = couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs",
                                            json={"new_edits": False, "docs": docs}, timeout=30)
    answer.raise_for_status()


def _branched(couch_server, db, docid):
    a, b, c, x, y, z, w = (f"{i}" + "a" * 31 for i in range(1, 8))
    _bulk(couch_server, db, [
        {"_id": docid, "_rev": f"3-{c}", "_revisions": {"start": 3, "ids": [c, b, a]}, "v": "c"},
        {"_id": docid, "_rev": f"3-{x}", "_revisions": {"start": 3, "ids": [x, y, a]}, "v": "x"},
        {"_id": docid, "_rev": f"4-{z}", "_deleted": True, "_revisions": {"start": 4, "ids": [z, w, b, a]}}])
    return f"3-{x}", f"3-{c}", f"4-{z}"


@pytest.mark.parametrize("docid", ["plain", *HOSTILE["document_ids"][:4]])
def test_the_revisions_page_draws_every_branch_with_links_to_each_revision(admin_client, make_database,
                                                                          couch_server, docid):
    db = make_database()
    winner, conflict, tomb = _branched(couch_server, db, docid)
    response = admin_client.get(reverse("browser:document-revisions", kwargs={"db": db, "docid": docid}))
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="revision-tree"' in page
    base = reverse("browser:document-revisions", kwargs={"db": db, "docid": docid})
    for rev in (winner, conflict, tomb):
        assert f'href="{escape(base)}?rev={rev}#old-heading"' in page
    assert "3 leaves: the winner, 1 conflict, 1 deleted." in " ".join(page.split())
    assert page.count('class="revtree-node') == 7
    opened = admin_client.get(base, {"rev": conflict})
    assert opened.status_code == 200 and 'aria-current="page"' in opened.content.decode()


def test_the_conflicts_page_draws_the_tree_above_the_choice(admin_client, make_database, couch_server):
    db = make_database()
    winner, conflict, tomb = _branched(couch_server, db, "split")
    page = admin_client.get(reverse("browser:document-conflicts", kwargs={"db": db, "docid": "split"})).content.decode()
    assert page.index('data-testid="revision-tree"') < page.index('name="keep"')
    assert f'data-leaf="{conflict}"' in page and f'data-leaf="{tomb}"' in page


def test_a_thousand_revisions_draw_folded_and_fifty_leaves_each_get_a_branch(admin_client, make_database,
                                                                            couch_server):
    db = make_database()
    trunk = [f"{i:032x}" for i in range(1000, 0, -1)]
    _bulk(couch_server, db, [{"_id": "long", "_rev": f"1000-{trunk[0]}", "_revisions": {"start": 1000, "ids": trunk}}])
    _bulk(couch_server, db, [{"_id": "wide", "_rev": f"3-{n:032x}", "v": n,
                              "_revisions": {"start": 3, "ids": [f"{n:032x}", "b" * 32, "a" * 32]}}
                             for n in range(50)])
    long = admin_client.get(reverse("browser:document-revisions", kwargs={"db": db, "docid": "long"}))
    assert long.status_code == 200 and "… 994 revisions (" in long.content.decode()
    wide = admin_client.get(reverse("browser:document-revisions", kwargs={"db": db, "docid": "wide"}))
    assert wide.content.decode().count("<li data-leaf=") == 50


def test_a_revision_compaction_removed_says_so(admin_client, make_database, couch_server):
    db = make_database()
    winner, conflict, tomb = _branched(couch_server, db, "d")
    # new_edits=false stored no body for the ancestors: as after a compaction.
    response = admin_client.get(reverse("browser:document-revisions", kwargs={"db": db, "docid": "d"}),
                                {"rev": "2-" + "6" + "a" * 31})
    assert response.status_code == 404
    assert "no longer keeps this revision" in response.content.decode()


def test_a_local_document_has_no_tree(admin_client, make_database, couch_server):
    db = make_database()
    couch_server.admin_http().put(f"{couch_server.url}{db}/_local/x", json={"a": 1}, timeout=10).raise_for_status()
    response = admin_client.get(reverse("browser:document-revisions", kwargs={"db": db, "docid": "_local/x"}))
    assert response.status_code == 200 and 'data-testid="revision-tree"' not in response.content.decode()
