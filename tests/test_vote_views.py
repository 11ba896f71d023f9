"""Impact votes through the pages: the widget on the map page and the focus view, casting,
changing and withdrawing, who may vote, hiding others' votes until one has voted, the switches,
a closed exercise, and the page listing one's own votes."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from argmap import editing, votes
from argmap.access import access_for
from argmap.models import ExerciseGroup
from argmap.models import Map, Relation, Visibility, Vote

from tests.conftest import Site
from tests.helpers import HTMX


class VoteSite(Site):
    """The shared Site with a rebuttal of the claim, and the vote pages' URLs."""

    def __init__(self, builder, people):
        super().__init__(builder, people)
        self.rebuttal = builder.claim("The doors are painted on", under=self.claim, stance="oppose")
        self.relation = Relation.objects.get(child=self.claim)
        self.rebuttal_relation = Relation.objects.get(child=self.rebuttal)

    def cast_url(self, relation=None):
        return reverse("vote-cast", args=[self.map.code, (relation or self.relation).pk])

    def withdraw_url(self, relation=None):
        return reverse("vote-withdraw", args=[self.map.code, (relation or self.relation).pk])

    def map_page(self):
        return f"{self.map.get_absolute_url()}?open={self.thesis.pk}.{self.claim.pk}"

    def focus(self, node):
        return reverse("node-focus", args=[self.map.code, node.pk])

    def mine(self):
        return reverse("my-votes", args=[self.map.code])


@pytest.fixture
def site(build, people):
    return VoteSite(build(Visibility.PUBLIC), people)


def vote(client, site, user, impact, relation=None, headers=None):
    client.force_login(user)
    return client.post(site.cast_url(relation), {"impact": impact, "next": site.map_page(), "place": "node-1-2"},
                       headers=headers or {})


def impacts(relation):
    return sorted(Vote.objects.filter(relation=relation).values_list("user__username", "impact"))


# Casting and changing


def test_it_records_a_vote_and_goes_back_to_the_page_at_the_widget(client, site):
    contributor = site.people["contributor"]
    response = vote(client, site, contributor, "3")
    assert response.status_code == 302
    assert response["Location"] == f"{site.map_page()}#node-1-2-vote"
    assert impacts(site.relation) == [(contributor.username, 3)]


def test_a_second_vote_changes_the_first_and_there_is_still_one(client, site):
    contributor = site.people["contributor"]
    vote(client, site, contributor, "1")
    vote(client, site, contributor, "4")
    assert impacts(site.relation) == [(contributor.username, 4)]
    page = client.get(site.map_page()).content.decode()
    assert "Impact 4.0 of 4, from 1 vote &middot; yours: 4" in page


def test_htmx_gets_the_widget_back_with_the_new_mean(client, site):
    vote(client, site, site.people["editor"], "1")
    response = vote(client, site, site.people["contributor"], "4", headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and 'id="node-1-2-vote"' in html
    assert "Impact 2.5 of 4, from 2 votes &middot; yours: 4" in html
    assert 'value="4" checked' in html and "Withdraw my vote" in html


def test_it_never_goes_back_to_another_site(client, site):
    client.force_login(site.people["contributor"])
    response = client.post(site.cast_url(), {"impact": "2", "next": "https://evil.example/maps/x/"})
    assert response["Location"].startswith(site.map.get_absolute_url())


@pytest.mark.parametrize("impact", ["5", "-1", "", "abc", "2.5", "٣", "99999999999999999999"])
def test_an_impact_outside_0_to_4_answers_400_and_records_nothing(client, site, impact):
    response = vote(client, site, site.people["contributor"], impact)
    assert response.status_code == 400
    assert "0 (no impact) to 4 (decisive)" in response.content.decode()
    htmx = vote(client, site, site.people["contributor"], impact, headers=HTMX)
    assert htmx.status_code == 400 and htmx["HX-Reswap"] == "outerHTML"
    assert "0 (no impact) to 4 (decisive)" in htmx.content.decode()
    assert not Vote.objects.exists()


def test_a_form_without_an_impact_answers_400(client, site):
    client.force_login(site.people["contributor"])
    assert client.post(site.cast_url(), {}).status_code == 400
    assert not Vote.objects.exists()


def test_voting_takes_a_post(client, site):
    client.force_login(site.people["contributor"])
    assert client.get(site.cast_url()).status_code == 405
    assert client.get(site.withdraw_url()).status_code == 405


def test_withdrawing_removes_my_vote_only(client, site):
    vote(client, site, site.people["editor"], "2")
    vote(client, site, site.people["contributor"], "4")
    response = client.post(site.withdraw_url(), {"place": "relation-9"}, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Impact 2.0 of 4, from 1 vote" in html and "yours" not in html and "Withdraw" not in html
    assert impacts(site.relation) == [(site.people["editor"].username, 2)]


# Who may vote


@pytest.mark.parametrize("role", ["owner", "editor", "contributor"])
def test_contributors_and_up_vote(client, site, role):
    assert vote(client, site, site.people[role], "2").status_code == 302
    assert impacts(site.relation) == [(site.people[role].username, 2)]


@pytest.mark.parametrize("role", ["viewer", "outsider"])
def test_viewers_and_people_without_a_role_on_a_public_map_may_not_vote(client, site, role):
    response = vote(client, site, site.people[role], "2")
    assert response.status_code == 403
    assert "Only contributors, editors and owners" in response.content.decode()
    htmx = vote(client, site, site.people[role], "2", headers=HTMX)
    assert htmx.status_code == 403 and "Only contributors, editors and owners" in htmx.content.decode()
    assert not Vote.objects.exists()
    client.force_login(site.people[role])
    assert client.post(site.withdraw_url()).status_code == 403


def test_an_outsider_gets_404_on_a_private_map(client, build, people):
    site = VoteSite(build(Visibility.PRIVATE), people)
    assert vote(client, site, site.people["outsider"], "2").status_code == 404
    assert client.get(site.mine()).status_code == 404
    assert not Vote.objects.exists()


def test_anonymous_people_are_sent_to_log_in_or_refused_under_htmx(client, site):
    response = client.post(site.cast_url(), {"impact": "2"})
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert client.post(site.cast_url(), {"impact": "2"}, headers=HTMX).status_code == 403
    assert client.get(site.mine()).status_code == 302
    assert not Vote.objects.exists()


def test_a_relation_of_another_map_or_a_made_up_one_answers_404(client, site, build):
    other = build(Visibility.PUBLIC)
    elsewhere = Relation.objects.get(child=other.claim("Elsewhere", under=other.thesis()))
    contributor = site.people["contributor"]
    client.force_login(contributor)
    for relation_id in (elsewhere.pk, 999999):
        url = reverse("vote-cast", args=[site.map.code, relation_id])
        assert client.post(url, {"impact": "2"}).status_code == 404
        assert client.post(reverse("vote-withdraw", args=[site.map.code, relation_id])).status_code == 404
    assert not Vote.objects.exists()


def test_a_deleted_relation_answers_404(client, site):
    editing.delete_node(site.rebuttal, site.people["owner"])
    assert vote(client, site, site.people["contributor"], "2", relation=site.rebuttal_relation).status_code == 404
    assert not Vote.objects.exists()


def test_a_student_gets_404_for_another_students_claim_awaiting_approval(client, lesson):
    l = lesson(moderation=True)
    thesis = l.builder.thesis()
    writer, reader = l.students
    claim, relation = editing.add_claim(thesis, writer, "Pending claim", "support", moderated=True)
    url = reverse("vote-cast", args=[l.map.code, relation.pk])
    client.force_login(reader)
    assert client.post(url, {"impact": "1"}).status_code == 404
    client.force_login(writer)
    assert client.post(url, {"impact": "1"}).status_code == 302
    assert list(Vote.objects.values_list("user", flat=True)) == [writer.pk]


# What the pages show


def test_the_map_page_and_focus_view_show_the_widget_and_the_mean(client, site):
    vote(client, site, site.people["editor"], "1")
    vote(client, site, site.people["owner"], "4", relation=site.rebuttal_relation)
    client.force_login(site.people["contributor"])
    page = client.get(site.map_page()).content.decode()
    assert page.count('class="vote-form"') == 2  # the claim and the rebuttal: not the thesis
    assert "Impact 1.0 of 4, from 1 vote" in page and "Impact 4.0 of 4, from 1 vote" in page
    assert 'name="impact" value="4"' in page and "4 <span class=\"vote-word\">decisive</span>" in page
    focus = client.get(site.focus(site.claim)).content.decode()
    # Its own relation to the thesis, and the rebuttal among its children.
    assert "Its impact on “Lukashenko is hedging”" in focus
    assert "Impact 1.0 of 4, from 1 vote" in focus and "Impact 4.0 of 4, from 1 vote" in focus
    assert reverse("my-votes", args=[site.map.code]) in page


def test_readers_who_may_not_vote_see_the_mean_without_the_form(client, site):
    vote(client, site, site.people["editor"], "3")
    client.logout()
    page = client.get(site.map_page()).content.decode()
    assert "Impact 3.0 of 4, from 1 vote" in page and 'class="vote-form"' not in page
    client.force_login(site.people["viewer"])
    page = client.get(site.map_page()).content.decode()
    assert "Impact 3.0 of 4, from 1 vote" in page and 'class="vote-form"' not in page


def test_hidden_until_voted_keeps_the_others_votes_out_of_the_html_until_one_votes(client, site):
    Map.objects.filter(pk=site.map.pk).update(votes_hidden_until_voted=True)
    vote(client, site, site.people["editor"], "4")
    vote(client, site, site.people["owner"], "2")
    client.force_login(site.people["contributor"])
    for url in (site.map_page(), site.focus(site.thesis), site.focus(site.claim)):
        html = client.get(url).content.decode()
        assert "Vote to see the others' votes." in html, url
        assert "from 2 votes" not in html and "Impact 3.0" not in html, url
    vote(client, site, site.people["contributor"], "0")
    client.force_login(site.people["contributor"])
    for url in (site.map_page(), site.focus(site.thesis), site.focus(site.claim)):
        assert "Impact 2.0 of 4, from 3 votes &middot; yours: 0" in client.get(url).content.decode(), url
    # Owners and editors see the votes without voting; a viewer, who cannot vote, sees none.
    for role in ("owner", "editor"):
        client.force_login(site.people[role])
        assert "from 3 votes" in client.get(site.focus(site.thesis)).content.decode()
    client.force_login(site.people["viewer"])
    html = client.get(site.focus(site.thesis)).content.decode()
    assert "from 3 votes" not in html and "Vote to see" not in html


def test_teachers_always_see_the_votes_and_students_after_voting(client, lesson):
    l = lesson(students=2)
    Map.objects.filter(pk=l.map.pk).update(votes_hidden_until_voted=True)
    thesis = l.builder.thesis("Minsk hedges")
    claim, relation = editing.add_claim(thesis, l.students[0], "Stations went quiet", "support")
    votes.cast(access_for(relation.map, l.students[0]), relation, 3)
    focus = reverse("node-focus", args=[l.map.code, thesis.pk])
    client.force_login(l.co_teacher)
    assert "Impact 3.0 of 4, from 1 vote" in client.get(focus).content.decode()
    client.force_login(l.students[1])
    html = client.get(focus).content.decode()
    assert "from 1 vote" not in html and "Vote to see the others' votes." in html
    client.post(reverse("vote-cast", args=[l.map.code, relation.pk]), {"impact": "1"})
    assert "Impact 2.0 of 4, from 2 votes &middot; yours: 1" in client.get(focus).content.decode()


def test_the_htmx_answer_to_a_vote_also_reveals_the_others_only_then(client, site):
    Map.objects.filter(pk=site.map.pk).update(votes_hidden_until_voted=True)
    vote(client, site, site.people["editor"], "4")
    html = vote(client, site, site.people["contributor"], "2", headers=HTMX).content.decode()
    assert "Impact 3.0 of 4, from 2 votes" in html
    client.post(site.withdraw_url(), headers=HTMX)
    html = client.post(site.withdraw_url(), headers=HTMX).content.decode()
    assert "from 1 vote" not in html and "Vote to see the others' votes." in html


# The switches


def test_with_voting_off_the_widget_goes_and_votes_are_refused(client, site):
    vote(client, site, site.people["editor"], "3")
    Map.objects.filter(pk=site.map.pk).update(voting=False)
    client.force_login(site.people["owner"])
    for url in (site.map_page(), site.focus(site.claim)):
        html = client.get(url).content.decode()
        assert 'class="vote' not in html and "Impact 3.0" not in html, url
    for headers in ({}, HTMX):
        response = vote(client, site, site.people["contributor"], "2", headers=headers)
        assert response.status_code == 403 and "Voting is turned off on this map." in response.content.decode()
    client.force_login(site.people["editor"])
    assert client.post(site.withdraw_url()).status_code == 403
    assert impacts(site.relation) == [(site.people["editor"].username, 3)]


def test_owners_switch_voting_and_hiding_on_the_settings_page(client, site):
    client.force_login(site.people["owner"])
    url = reverse("map-settings", args=[site.map.code])
    page = client.get(url).content.decode()
    assert "Impact voting on" in page and "Hide others&#x27; votes until one has voted" in page
    data = {"title": site.map.title, "question": "", "visibility": "public", "votes_hidden_until_voted": "on"}
    assert client.post(url, data).status_code == 302
    site.map.refresh_from_db()
    assert (site.map.voting, site.map.votes_hidden_until_voted) == (False, True)
    client.force_login(site.people["editor"])
    assert client.post(url, {**data, "voting": "on"}).status_code == 403


def test_the_exercise_edit_page_sets_the_switches_on_all_the_exercises_maps(client, lesson):
    l = lesson()
    group = ExerciseGroup.objects.create(exercise=l.exercise, name="Blue")
    copy = Map.objects.create(title="Copy", exercise=l.exercise, group=group)
    url = reverse("exercise-edit", args=[l.exercise.pk])
    client.force_login(l.teacher)
    page = client.get(url).content.decode()
    assert 'name="voting" id="id_voting" checked' in page
    zone = l.school_class.zone
    data = {"title": l.exercise.title, "instructions": "",
            "opens_at": l.exercise.opens_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": l.exercise.closes_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
            "target_evidence": 0, "target_rebuttals": 0, "target_comments": 0,
            "votes_hidden_until_voted": "on"}
    assert client.post(url, data).status_code == 302
    assert set(Map.objects.filter(pk__in=[l.map.pk, copy.pk]).values_list("voting", "votes_hidden_until_voted")) == {
        (False, True)}
    page = client.get(url).content.decode()
    assert 'name="voting" id="id_voting" checked' not in page
    assert 'name="votes_hidden_until_voted" id="id_votes_hidden_until_voted" checked' in page
    client.force_login(l.students[0])
    assert client.post(url, {**data, "voting": "on"}).status_code == 403
    assert not Map.objects.get(pk=l.map.pk).voting


# A closed exercise


def test_after_the_exercise_closes_votes_are_refused_with_the_reason_and_nothing_changes(client, lesson):
    l = lesson()
    thesis = l.builder.thesis()
    claim, relation = editing.add_claim(thesis, l.students[0], "Stations went quiet", "support")
    votes.cast(access_for(relation.map, l.students[0]), relation, 2)
    l.exercise.opens_at = timezone.now() - timedelta(days=2)
    l.exercise.closes_at = timezone.now() - timedelta(minutes=1)
    l.exercise.save()
    for user in (l.students[0], l.students[1], l.teacher):
        client.force_login(user)
        for url, data in ((reverse("vote-cast", args=[l.map.code, relation.pk]), {"impact": "4"}),
                          (reverse("vote-withdraw", args=[l.map.code, relation.pk]), {})):
            for headers in ({}, HTMX):
                response = client.post(url, data, headers=headers)
                assert response.status_code == 403
                assert "This exercise closed at " in response.content.decode()
    assert impacts(relation) == [(l.students[0].username, 2)]
    client.force_login(l.students[0])
    page = client.get(reverse("node-focus", args=[l.map.code, thesis.pk])).content.decode()
    assert 'class="vote-form"' not in page and "Impact 2.0 of 4, from 1 vote" in page


# My votes


def test_my_votes_lists_exactly_my_votes_on_this_map(client, site, build):
    me, other = site.people["contributor"], site.people["editor"]
    elsewhere_map = build(Visibility.PUBLIC)
    elsewhere = Relation.objects.get(child=elsewhere_map.claim("A claim elsewhere", under=elsewhere_map.thesis()))
    votes.cast(access_for(site.relation.map, me), site.relation, 3)
    votes.cast(access_for(site.rebuttal_relation.map, me), site.rebuttal_relation, 0)
    votes.cast(access_for(site.relation.map, other), site.relation, 1)
    votes.cast(access_for(elsewhere.map, me), elsewhere, 4)
    client.force_login(me)
    response = client.get(site.mine())
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<li id="my-vote-') == 2
    assert "He keeps doors open" in html and "The doors are painted on" in html
    assert "A claim elsewhere" not in html
    assert "Supports" in html and "Opposes" in html  # the stance towards the parent shown
    assert 'value="3" checked' in html and 'value="0" checked' in html
    assert "Impact 2.0 of 4, from 2 votes &middot; yours: 3" in html
    assert reverse("vote-withdraw", args=[site.map.code, site.rebuttal_relation.pk]) in html


def test_my_votes_sets_aside_votes_on_deleted_relations(client, site):
    me = site.people["contributor"]
    votes.cast(access_for(site.relation.map, me), site.relation, 3)
    votes.cast(access_for(site.rebuttal_relation.map, me), site.rebuttal_relation, 1)
    editing.delete_node(site.rebuttal, site.people["owner"])
    client.force_login(me)
    html = client.get(site.mine()).content.decode()
    assert html.count('<li id="my-vote-') == 1 and "The doors are painted on" not in html
    assert "1 more vote on relations since deleted or hidden is kept" in html


def test_my_votes_shows_the_votes_without_the_form_when_voting_is_off(client, site):
    me = site.people["contributor"]
    votes.cast(access_for(site.relation.map, me), site.relation, 3)
    Map.objects.filter(pk=site.map.pk).update(voting=False)
    client.force_login(me)
    html = client.get(site.mine()).content.decode()
    assert "My vote: <strong>3 – large</strong>" in html and 'class="vote-form"' not in html
    assert "Voting is turned off on this map" in html


def test_my_votes_page_reads_the_same_few_queries_for_2_or_40_votes(client, site, django_assert_max_num_queries):
    me = site.people["contributor"]
    client.force_login(me)

    def queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(site.mine()).status_code == 200
        return len(captured)

    votes.cast(access_for(site.relation.map, me), site.relation, 3)
    votes.cast(access_for(site.rebuttal_relation.map, me), site.rebuttal_relation, 2)
    few = queries()
    for number in range(38):
        claim = site.builder.claim(f"Claim {number}", under=site.thesis)
        relation = Relation.objects.get(child=claim)
        votes.cast(access_for(relation.map, me), relation, number % 5)
    assert queries() == few
    with django_assert_max_num_queries(8):
        client.get(site.mine())
