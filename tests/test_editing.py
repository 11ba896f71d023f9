"""Changing a map (argmap.editing): every operation keeps the map's shape and records its history."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from argmap import editing, history
from argmap.access import Access
from argmap.browsing import read_graph
from argmap.models import Action, Change, CycleError, Map, Node, NodeKind, Quote, Relation


@pytest.fixture
def tree(build):
    """thesis ← a ← b ← c, and thesis ← d; `shared` hangs from both a and d."""
    builder = build()
    thesis = builder.thesis("Belarus hedges")
    a = builder.claim("A: doors are open", under=thesis)
    b = builder.claim("B: talks with Warsaw", under=a)
    c = builder.claim("C: minutes of the talks", under=b, stance="oppose")
    d = builder.claim("D: loyal at the UN", under=thesis, stance="oppose")
    shared = builder.claim("Shared: the relay stations", under=a)
    shared.bear_on(d, "support")
    return builder, thesis, a, b, c, d, shared


def shown(map_) -> set[int]:
    return read_graph(Access.for_site_operator(map_)).nodes


def changes(**filters):
    return list(Change.objects.filter(**filters).order_by("id"))


def refreshed(*nodes):
    return [Node.objects.get(pk=n.pk) for n in nodes]


# Adding


def test_it_adds_a_thesis_with_its_history(build, teacher):
    b = build()
    thesis = editing.add_thesis(b.map, teacher, "  Lukashenko is hedging \n")
    assert thesis.kind == NodeKind.THESIS and thesis.text == "Lukashenko is hedging" and thesis.author == teacher
    assert thesis.pk in shown(b.map)
    [change] = changes(node=thesis)
    assert (change.action, change.actor, change.before, change.after["text"]) == (
        Action.CREATE, teacher, None, "Lukashenko is hedging")


def test_it_adds_supporting_and_opposing_claims_under_any_node(tree, teacher):
    b, thesis, a, *_ = tree
    pro, _ = editing.add_claim(thesis, teacher, "Pro", "support")
    con, relation = editing.add_claim(a, teacher, "Con", "oppose")
    graph = read_graph(Access.for_site_operator(b.map))
    assert graph.edge(thesis.pk, pro.pk).stance == "support"
    assert graph.edge(a.pk, con.pk).stance == "oppose" and relation.author == teacher
    [change] = changes(node=con)
    assert change.after["parent"] == a.pk and change.after["stance"] == "oppose" and change.after["text"] == "Con"


@pytest.mark.parametrize("text, message", [
    ("", "cannot be empty"),
    ("   \n\t ", "cannot be empty"),
    ("x" * 2001, "2,000 characters"),
    ("nul\x00byte", "NUL"),
    ("lone \ud800 surrogate", "lone surrogate"),
])
def test_it_refuses_bad_text_and_saves_nothing(tree, teacher, text, message):
    b, thesis, *_ = tree
    before = (Node.objects.count(), Relation.objects.count(), Change.objects.count())
    with pytest.raises(ValidationError, match=message):
        editing.add_claim(thesis, teacher, text, "support")
    with pytest.raises(ValidationError, match=message):
        editing.add_thesis(b.map, teacher, text)
    assert (Node.objects.count(), Relation.objects.count(), Change.objects.count()) == before


def test_it_takes_text_of_exactly_the_limit(tree, teacher):
    _, thesis, *_ = tree
    node, _ = editing.add_claim(thesis, teacher, "y" * 2000, "support")
    assert len(node.text) == 2000


def test_it_refuses_a_claim_under_a_deleted_node_or_with_a_strange_stance(tree, teacher):
    b, thesis, a, *_ = tree
    count = Node.objects.count()
    with pytest.raises(ValidationError, match="supports or opposes"):
        editing.add_claim(a, teacher, "Sideways", "sideways")
    a.soft_delete()
    with pytest.raises(ValidationError, match="deleted"):
        editing.add_claim(a, teacher, "Under a ghost", "support")
    assert Node.objects.count() == count


# Placing


def test_it_attaches_a_node_under_a_second_parent(tree, teacher):
    b, thesis, a, bb, c, d, shared = tree
    relation = editing.attach(c, d, "support", teacher)
    graph = read_graph(Access.for_site_operator(b.map))
    assert {e.parent for e in graph.parents(c.pk)} == {bb.pk, d.pk}
    [change] = changes(target_type="relation", target_id=relation.pk)
    assert change.action == Action.ATTACH and change.node_id == c.pk and change.after["parent_text"] == d.text


def test_it_refuses_an_attachment_that_would_go_round_in_a_circle(tree, teacher):
    b, thesis, a, bb, c, *_ = tree
    with pytest.raises(CycleError, match="would go round in a circle"):
        editing.attach(a, c, "support", teacher)
    with pytest.raises(ValidationError, match="thesis stands on its own"):
        editing.attach(thesis, c, "support", teacher)
    assert not Relation.objects.filter(child=a, parent=c).exists()
    assert not Change.objects.filter(action=Action.ATTACH).exists()


def test_it_detaches_a_node_from_one_of_its_places(tree, teacher):
    b, thesis, a, bb, c, d, shared = tree
    relation = editing.detach(shared, a, teacher)
    assert relation.is_deleted
    graph = read_graph(Access.for_site_operator(b.map))
    assert [e.parent for e in graph.parents(shared.pk)] == [d.pk]
    [change] = changes(action=Action.DETACH)
    assert change.before["deleted"] is False and change.after["deleted"] is True and change.node_id == shared.pk


def test_it_refuses_to_detach_a_nodes_only_place(tree, teacher):
    b, thesis, a, bb, *_ = tree
    with pytest.raises(ValidationError, match="delete it instead"):
        editing.detach(bb, a, teacher)
    assert bb.pk in shown(b.map) and not Change.objects.filter(action=Action.DETACH).exists()


def test_it_refuses_to_detach_a_node_whose_other_parent_is_cut_off(tree, teacher):
    b, thesis, a, bb, c, d, shared = tree
    orphan_parent = Node.objects.create(map=b.map, text="Cut off")  # in the map, under nothing
    Relation.objects.link(c, orphan_parent, "support")
    with pytest.raises(ValidationError, match="delete it instead"):
        editing.detach(c, bb, teacher)


def test_it_moves_a_node_with_its_branch_keeping_or_changing_its_stance(tree, teacher):
    b, thesis, a, bb, c, d, shared = tree
    editing.move(bb, a, d, teacher)
    graph = read_graph(Access.for_site_operator(b.map))
    assert [(e.parent, e.stance) for e in graph.parents(bb.pk)] == [(d.pk, "support")]
    assert graph.edge(bb.pk, c.pk)  # the branch came along
    editing.move(bb, d, thesis, teacher, stance="oppose")
    graph = read_graph(Access.for_site_operator(b.map))
    assert [(e.parent, e.stance) for e in graph.parents(bb.pk)] == [(thesis.pk, "oppose")]
    first, second = changes(action=Action.MOVE)
    assert (first.before["parent"], first.after["parent"], first.after["stance"]) == (a.pk, d.pk, "support")
    assert (second.before["parent_text"], second.after["parent_text"]) == (d.text, thesis.text)


def test_it_refuses_a_move_into_its_own_branch_and_changes_nothing(tree, teacher):
    b, thesis, a, bb, c, *_ = tree
    with pytest.raises(CycleError, match="would go round in a circle"):
        editing.move(a, thesis, c, teacher)
    graph = read_graph(Access.for_site_operator(b.map))
    assert [e.parent for e in graph.parents(a.pk)] == [thesis.pk]
    assert Relation.objects.live().filter(child=a, parent=thesis).exists()
    assert not Change.objects.filter(action=Action.MOVE).exists()


def test_it_refuses_a_move_to_where_it_already_is(tree, teacher):
    b, thesis, a, bb, c, d, shared = tree
    with pytest.raises(ValidationError, match="already there"):
        editing.move(bb, a, a, teacher)
    with pytest.raises(ValidationError, match="already bears on"):
        editing.move(shared, a, d, teacher)
    assert Relation.objects.live().filter(child=shared).count() == 2


def test_it_changes_a_relations_stance(tree, teacher):
    b, thesis, a, bb, c, *_ = tree
    editing.change_stance(c, bb, "support", teacher)
    assert read_graph(Access.for_site_operator(b.map)).edge(bb.pk, c.pk).stance == "support"
    [change] = changes(target_type="relation", action=Action.EDIT)
    assert (change.before["stance"], change.after["stance"]) == ("oppose", "support")
    editing.change_stance(c, bb, "support", teacher)  # no change, no history
    assert Change.objects.filter(action=Action.EDIT).count() == 1


# Editing text


def test_it_edits_the_text_and_keeps_the_old_one_in_history(tree, teacher):
    _, thesis, a, *_ = tree
    edited = editing.edit_text(a, "A: doors stay open", a.version, teacher)
    assert (edited.text, edited.version, edited.updated_by) == ("A: doors stay open", 2, teacher)
    [change] = changes(node=a, action=Action.EDIT)
    assert (change.before["text"], change.after["text"]) == ("A: doors are open", "A: doors stay open")
    assert (change.before["version"], change.after["version"]) == (1, 2)


def test_it_shows_a_conflict_instead_of_overwriting_someone_elses_edit(tree, teacher, outsider):
    _, thesis, a, *_ = tree
    loaded_version = a.version
    editing.edit_text(a, "Their edit", loaded_version, outsider)
    with pytest.raises(editing.EditConflict) as conflict:
        editing.edit_text(a, "My edit", loaded_version, teacher)
    assert conflict.value.current.text == "Their edit" and conflict.value.current.updated_by == outsider
    assert Node.objects.get(pk=a.pk).text == "Their edit"
    # Resubmitting with the version seen in the conflict replaces theirs, knowingly.
    editing.edit_text(a, "My edit", conflict.value.current.version, teacher)
    assert Node.objects.get(pk=a.pk).text == "My edit"


def test_it_records_nothing_for_an_edit_that_changes_nothing(tree, teacher):
    _, thesis, a, *_ = tree
    editing.edit_text(a, "  A: doors are open  ", a.version, teacher)
    assert Node.objects.get(pk=a.pk).version == 1 and not Change.objects.filter(action=Action.EDIT).exists()


# Deleting and restoring


def test_it_deletes_a_node_with_what_only_it_kept_and_restores_them_together(tree, teacher):
    b, thesis, a, bb, c, d, shared = tree
    primary = editing.delete_node(a, teacher)
    assert shown(b.map) == {thesis.pk, d.pk, shared.pk}  # shared stays: d still reaches it
    a_, bb_, c_, shared_ = refreshed(a, bb, c, shared)
    assert a_.is_deleted and bb_.is_deleted and c_.is_deleted and not shared_.is_deleted
    assert a_.deleted_by == teacher and bb_.deleted_by == teacher
    assert primary.after["cascade"] == [bb.pk, c.pk] and primary.before["deleted"] is False
    companion = Change.objects.get(target_type="node", target_id=c.pk, action=Action.DELETE)
    assert companion.after["with"] == a.pk and companion.after["change"] == primary.pk

    restored = editing.restore_node(a, teacher)
    assert restored.pk == a.pk
    assert shown(b.map) == {thesis.pk, a.pk, bb.pk, c.pk, d.pk, shared.pk}
    restore = Change.objects.get(target_type="node", target_id=a.pk, action=Action.RESTORE)
    assert restore.after["cascade"] == [bb.pk, c.pk] and restore.after["deleted"] is False


def test_it_restores_the_whole_group_from_any_node_that_went_with_it(tree, teacher):
    b, thesis, a, bb, c, *_ = tree
    editing.delete_node(a, teacher)
    assert editing.deleted_with(Node.objects.get(pk=c.pk)).pk == a.pk
    restored = editing.restore_node(c, teacher)
    assert restored.pk == a.pk and {a.pk, bb.pk, c.pk} <= shown(b.map)


def test_it_deletes_a_thesis_and_keeps_what_another_thesis_reaches(tree, teacher):
    b, thesis, a, bb, c, d, shared = tree
    other = b.thesis("Belarus is loyal")
    shared.bear_on(other, "oppose")
    primary = editing.delete_node(thesis, teacher)
    assert shown(b.map) == {other.pk, shared.pk}
    assert sorted(primary.after["cascade"]) == sorted([a.pk, bb.pk, c.pk, d.pk])
    editing.restore_node(thesis, teacher)
    assert len(shown(b.map)) == 7


def test_it_leaves_a_shared_descendant_alone_when_one_of_its_parents_goes(tree, teacher):
    b, thesis, a, bb, c, d, shared = tree
    primary = editing.delete_node(d, teacher)
    assert primary.after["cascade"] == [] and shared.pk in shown(b.map)


def test_it_refuses_a_cascade_over_other_peoples_work_when_told_to(tree, teacher, outsider):
    b, thesis, a, bb, c, *_ = tree
    Node.objects.filter(pk=c.pk).update(author=outsider)
    with pytest.raises(PermissionDenied, match="1 node below it"):
        editing.delete_node(a, teacher, may_change=lambda n: n.author_id == teacher.pk)
    assert not any(n.is_deleted for n in refreshed(a, bb, c)) and not Change.objects.exists()


def test_it_refuses_to_restore_a_node_whose_only_parent_is_still_deleted(tree, teacher):
    b, thesis, a, bb, c, *_ = tree
    editing.delete_node(bb, teacher)  # takes c along
    editing.delete_node(a, teacher)  # nothing left to take: bb is gone already
    with pytest.raises(ValidationError, match="Restore that first"):
        editing.restore_node(bb, teacher)
    assert Node.objects.get(pk=bb.pk).is_deleted and Node.objects.get(pk=c.pk).is_deleted
    editing.restore_node(a, teacher)
    editing.restore_node(bb, teacher)
    assert {a.pk, bb.pk, c.pk} <= shown(b.map)


def test_it_refuses_to_delete_or_restore_twice(tree, teacher):
    _, thesis, a, *_ = tree
    with pytest.raises(ValidationError, match="not deleted"):
        editing.restore_node(a, teacher)
    editing.delete_node(a, teacher)
    with pytest.raises(ValidationError, match="deleted meanwhile"):
        editing.delete_node(a, teacher)


def test_it_bumps_the_map_revision_so_pages_see_the_change(tree, teacher):
    b, thesis, a, *_ = tree
    revision = Map.objects.get(pk=b.map.pk).revision
    editing.delete_node(a, teacher)
    assert Map.objects.get(pk=b.map.pk).revision > revision


def test_it_deletes_and_restores_a_quote(build, teacher):
    b = build()
    thesis = b.thesis()
    evidence = b.claim("Stations went quiet", under=thesis, quote="The relay stations stopped working.")
    quote = Quote.objects.get(node=evidence)
    editing.delete_quote(quote, teacher)
    assert evidence.pk not in read_graph(Access.for_site_operator(b.map)).evidence
    with pytest.raises(ValidationError, match="already deleted"):
        editing.delete_quote(quote, teacher)
    editing.restore_quote(quote, teacher)
    assert evidence.pk in read_graph(Access.for_site_operator(b.map)).evidence
    deleted, restored = changes(target_type="quote")
    assert (deleted.action, deleted.node_id, deleted.after["deleted"]) == (Action.DELETE, evidence.pk, True)
    assert (restored.action, restored.before["deleted"], restored.after["deleted"]) == (Action.RESTORE, True, False)


def test_it_lists_a_nodes_history_newest_first(tree, teacher):
    _, thesis, a, bb, *_ = tree
    editing.edit_text(a, "First edit", 1, teacher)
    editing.edit_text(a, "Second edit", 2, teacher)
    editing.add_claim(a, teacher, "A reply", "support")  # the reply's history, not a's
    assert [c.after["text"] for c in history.history_of(a)] == ["Second edit", "First edit"]


@pytest.mark.django_db(transaction=True)
def test_it_lets_only_one_of_two_simultaneous_edits_of_the_same_version_through(build, teacher, outsider):
    b = build()
    claim = b.claim("The original", under=b.thesis())
    start = threading.Barrier(2)
    outcomes = []

    def edit(text, actor):
        try:
            start.wait()
            editing.edit_text(Node.objects.get(pk=claim.pk), text, 1, actor)
            outcomes.append("saved")
        except editing.EditConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=args) for args in [("Teacher's", teacher), ("Outsider's", outsider)]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "saved"]
    assert Node.objects.get(pk=claim.pk).version == 2 and Change.objects.filter(action=Action.EDIT).count() == 1
