"""The group comparison page: for the class's teachers only, readable, in a fixed number of queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from argmap.classroom.copying import copy_map
from argmap.models import Exercise, ExerciseGroup, GroupMember
from argmap.models import Node, NodeKind, NodeStatus, Quote, Source
from argmap.synthetic import WORDS, Shape, build_map

RELAY = "The relay stations stopped working."
MOSCOW = "Moscow heard another."


def compare_url(exercise):
    return reverse("exercise-compare", args=[exercise.pk])


def make_groups(lesson_, map_, names, exercise=None):
    exercise = exercise or lesson_.exercise
    copies = []
    for name in names:
        group = ExerciseGroup.objects.create(exercise=exercise, name=name)
        copies.append(copy_map(map_, title=f"{name}'s map", owner=lesson_.teacher, exercise=exercise, group=group))
    return copies


@pytest.fixture
def grouped(lesson):
    l = lesson(groups=True, moderation=True)
    hedging = l.builder.thesis("Lukashenko is <b>hedging</b>")
    l.builder.claim("Stations went quiet", under=hedging, quote=RELAY)
    a, b = make_groups(l, l.map, ["Bears", "Wolves"])
    GroupMember.objects.create(exercise=l.exercise, group=a.group, user=l.students[0])
    thesis_a = Node.objects.get(map=a, kind=NodeKind.THESIS)
    moscow = Node.objects.create(map=a, text="Moscow was told otherwise", author=l.students[0])
    moscow.bear_on(thesis_a, "support")
    Quote.anchor(moscow, l.builder.source, MOSCOW).save()
    Node.objects.create(map=a, kind=NodeKind.THESIS, text="Only the Bears' thesis")
    waiting = Node.objects.create(map=b, text="Waiting <i>claim</i>", author=l.students[1], status=NodeStatus.PENDING)
    waiting.bear_on(Node.objects.get(map=b, kind=NodeKind.THESIS), "oppose")
    l.copies = (a, b)
    return l


def test_it_shows_the_groups_side_by_side_to_teachers(client, grouped):
    for teacher in (grouped.teacher, grouped.co_teacher):
        client.force_login(teacher)
        response = client.get(compare_url(grouped.exercise))
        assert response.status_code == 200
        html = response.text
        assert "Bears" in html and "Wolves" in html
        assert f'href="{grouped.copies[0].get_absolute_url()}"' in html


def test_it_refuses_students_and_hides_the_exercise_from_outsiders(client, grouped, outsider):
    client.force_login(grouped.students[0])
    response = client.get(compare_url(grouped.exercise))
    assert response.status_code == 403 and "Bears" not in response.text
    client.force_login(outsider)
    assert client.get(compare_url(grouped.exercise)).status_code == 404
    assert client.get(reverse("exercise-compare", args=[999999])).status_code == 404


def test_it_sends_visitors_who_are_not_signed_in_to_log_in(client, grouped):
    response = client.get(compare_url(grouped.exercise))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_it_answers_405_to_a_post(client, grouped):
    client.force_login(grouped.teacher)
    assert client.post(compare_url(grouped.exercise)).status_code == 405


def test_it_escapes_node_text_and_marks_what_a_copy_lacks(client, grouped):
    client.force_login(grouped.teacher)
    html = client.get(compare_url(grouped.exercise)).text
    assert "Lukashenko is &lt;b&gt;hedging&lt;/b&gt;" in html and "<b>hedging</b>" not in html
    row = re.search(r"<tr>\s*<th scope=\"row\" class=\"compare-thesis\">Only the Bears&#x27; thesis</th>.*?</tr>", html, re.S)
    assert row and row.group(0).count("not in this copy") == 1
    assert "Waiting &lt;i&gt;claim&lt;/i&gt;" not in html  # pending nodes are only counted


def test_it_counts_claims_evidence_and_pending_nodes_per_group(client, grouped):
    client.force_login(grouped.teacher)
    html = client.get(compare_url(grouped.exercise)).text
    hedging = re.search(r"compare-thesis\">Lukashenko.*?</tr>", html, re.S).group(0)
    cells = re.findall(r"<td>.*?</td>", hedging, re.S)
    assert "2 supporting" in cells[0] and "evidence: 2 for, 0 against" in cells[0]
    assert "1 supporting" in cells[1] and "0 opposing" in cells[1]  # the pending objection does not count
    pending = re.findall(r'<td class="compare-pending">(\d+)</td>', html)
    assert pending == ["0", "1"]


def test_it_shows_sources_quoted_and_the_evidence_a_group_missed(client, grouped):
    client.force_login(grouped.teacher)
    html = client.get(compare_url(grouped.exercise)).text
    sources = re.search(r'id="sources-heading".*?</section>', html, re.S).group(0)
    assert "Test article" in sources and "2 quotes" in sources and "1 quote<" in sources
    missed = re.search(r'id="missed-heading".*?</section>', html, re.S).group(0)
    assert MOSCOW in missed and RELAY not in missed
    passage = re.search(r'<li class="missed-passage">.*?</li>', missed, re.S).group(0)
    assert re.search(r"Found by</dt><dd>Bears</dd>", passage)
    assert re.search(r'Missed by</dt><dd class="missed-by">Wolves</dd>', passage)


def test_it_links_back_to_the_exercise_when_that_page_exists(client, grouped):
    client.force_login(grouped.teacher)
    html = client.get(compare_url(grouped.exercise)).text
    try:
        back = reverse("exercise-detail", args=[grouped.exercise.pk])
    except Exception:
        pytest.skip("exercise-detail is not written yet")
    assert f'href="{back}"' in html


def test_it_says_so_when_the_exercise_has_no_small_groups(client, lesson):
    l = lesson()
    client.force_login(l.teacher)
    response = client.get(compare_url(l.exercise))
    assert response.status_code == 200 and "has no small groups" in response.text


def test_it_says_so_when_no_group_has_a_copy_yet(client, lesson):
    l = lesson(groups=True)
    ExerciseGroup.objects.create(exercise=l.exercise, name="Bears")
    client.force_login(l.teacher)
    html = client.get(compare_url(l.exercise)).text
    assert "None of the groups has its copy of the map yet" in html and "no copy yet" in html


def test_its_queries_do_not_grow_with_groups_or_nodes(client, grouped, django_assert_max_num_queries):
    client.force_login(grouped.teacher)
    with CaptureQueriesContext(connection) as small:
        assert client.get(compare_url(grouped.exercise)).status_code == 200

    larger = Exercise.objects.create(school_class=grouped.school_class, title="Larger", groups=True)
    long_sources = [Source.objects.create(text=f"Part {n}. " + " ".join(WORDS * 40)) for n in (1, 2)]
    big_map = build_map("Big", long_sources, Shape(nodes=200, theses=3, seed=9))
    make_groups(grouped, big_map, [f"Group {n}" for n in range(1, 7)], exercise=larger)
    with django_assert_max_num_queries(len(small)):
        response = client.get(compare_url(larger))
    assert response.status_code == 200 and "Group 6" in response.text
    assert len(small) <= 10
