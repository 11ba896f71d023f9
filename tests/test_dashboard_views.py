"""The teacher's dashboard, decisions, grades, release, the CSV export and the student's own page."""

import csv
import html
import io
import json
import re

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from argmap.classroom import moderation
from argmap.models import Node, NodeStatus
from argmap.models import Review, StudentResult
from tests.classwork import contribute, pending, remark
from tests.helpers import HTMX, htmx

POLLER = re.compile(r'<div id="live-poller"[^>]*hx-get="([^"]+)"')


@pytest.fixture
def moderated(lesson):
    l = lesson(moderation=True, target_evidence=2)
    l.thesis = l.builder.thesis("Lukashenko is hedging")
    one, two = l.students
    one.first_name, one.last_name = "Alesia", "Kupala"
    one.save()
    l.claim = pending(l, one, "He keeps doors open to the West", under=l.thesis, quote="Moscow heard another.")
    return l


def dashboard_url(l):
    return reverse("exercise-dashboard", args=[l.exercise.pk])


def review_url(l, node):
    return reverse("review-node", args=[l.exercise.pk, node.pk])


def my_work_url(l):
    return reverse("exercise-my-work", args=[l.exercise.pk])


def decide(client, l, node, decision, feedback="", grade="", version=None, headers=None):
    data = {"decision": decision, "feedback": feedback, "grade": grade,
            "version": node.version if version is None else version}
    return client.post(review_url(l, node), data, headers=headers or {})


def text_of(response) -> str:
    return html.unescape(response.content.decode())


# Who may see what


def test_teachers_see_the_dashboard_students_get_403_and_others_404(client, moderated, outsider):
    l = moderated
    for teacher in (l.teacher, l.co_teacher):
        client.force_login(teacher)
        assert client.get(dashboard_url(l)).status_code == 200
    client.force_login(l.students[0])
    assert client.get(dashboard_url(l)).status_code == 403
    assert client.get(reverse("exercise-csv", args=[l.exercise.pk])).status_code == 403
    assert decide(client, l, l.claim, "approve").status_code == 403
    client.force_login(outsider)
    assert client.get(dashboard_url(l)).status_code == 404
    assert client.get(my_work_url(l)).status_code == 404
    client.logout()
    assert client.get(dashboard_url(l)).url.startswith(reverse("login"))


def test_the_dashboard_lists_pending_work_with_real_names_quotes_and_what_it_answers(client, moderated):
    l = moderated
    contribute(l, l.students[1], "Already approved claim", under=l.thesis)
    client.force_login(l.teacher)
    page = text_of(client.get(dashboard_url(l)))
    pending_part = page[page.index('id="contributions"'):page.index('id="release"')]
    assert "Alesia Kupala" in pending_part and "He keeps doors open to the West" in pending_part
    assert "Moscow heard another." in pending_part and "Supports “Lukashenko is hedging”" in pending_part
    assert "Already approved claim" not in pending_part
    students_part = page[page.index('id="students"'):page.index('id="coverage"')]
    assert "Alesia Kupala" in students_part and "student-2" in students_part
    assert "0 of 2" in students_part and "+1 pending" in students_part


# Deciding


def test_a_student_sees_their_node_approved_and_the_others_see_it_only_then(client, moderated):
    l = moderated
    author, other = l.students
    client.force_login(other)
    assert "He keeps doors open" not in text_of(client.get(l.map.get_absolute_url()))
    client.force_login(author)
    assert "Waiting for approval" in text_of(client.get(my_work_url(l)))

    client.force_login(l.teacher)
    response = decide(client, l, l.claim, "approve")
    assert response.status_code == 302 and response.url == dashboard_url(l) + "#contributions"
    assert "Approved: “He keeps doors open" in text_of(client.get(response.url))

    l.claim.refresh_from_db()
    assert l.claim.status == NodeStatus.APPROVED
    client.force_login(other)
    assert "He keeps doors open" in text_of(client.get(l.map.get_absolute_url()))
    client.force_login(author)
    page = text_of(client.get(my_work_url(l)))
    assert "Approved" in page and "Waiting for approval" not in page


def test_with_htmx_the_list_comes_back_without_what_was_decided(client, moderated):
    l = moderated
    other = pending(l, l.students[1], "Still waiting", under=l.thesis)
    client.force_login(l.teacher)
    response = decide(client, l, l.claim, "approve", headers=HTMX)
    assert response.status_code == 200
    region = text_of(response)
    assert region.lstrip().startswith('<section id="contributions"') and "<html" not in region
    assert "Approved: “He keeps doors open" in region
    assert f'id="contribution-{l.claim.pk}"' not in region and f'id="contribution-{other.pk}"' in region


def test_a_decision_keeps_the_teacher_on_the_students_work_they_were_looking_at(client, moderated):
    l = moderated
    client.force_login(l.teacher)
    page = dashboard_url(l) + f"?student={l.students[0].pk}"
    response = client.post(review_url(l, l.claim), {"decision": "approve", "version": l.claim.version, "next": page})
    assert response.url == page + "#contributions"
    response = client.post(review_url(l, l.claim), {"decision": "approve", "version": l.claim.version,
                                                    "next": page}, headers=HTMX)
    assert f'id="contribution-{l.claim.pk}"' in text_of(response)  # still listed among their work
    away = client.post(review_url(l, l.claim), {"decision": "approve", "version": l.claim.version,
                                                "next": "https://elsewhere.example/"})
    assert away.url == dashboard_url(l) + "#contributions"


def test_a_rejection_note_shows_on_the_authors_page_at_once_and_nowhere_else(client, moderated):
    l = moderated
    author, other = l.students
    client.force_login(l.teacher)
    assert decide(client, l, l.claim, "reject", feedback="Which source says <so>?", grade="4").status_code == 302
    client.force_login(author)
    page = client.get(my_work_url(l)).content.decode()
    assert "Which source says &lt;so&gt;?" in page and "Rejected" in page
    assert "grade" not in page.split('id="work-heading"')[1].lower()  # the grade waits for the release
    client.force_login(other)
    assert "Which source says" not in text_of(client.get(my_work_url(l)))
    assert "He keeps doors open" not in text_of(client.get(l.map.get_absolute_url()))


def test_a_decision_on_a_version_the_teacher_did_not_see_is_refused_with_409(client, moderated):
    l = moderated
    seen = l.claim.version
    Node.objects.filter(pk=l.claim.pk).update(text="Rewritten by the student", version=seen + 1)
    client.force_login(l.teacher)

    response = decide(client, l, l.claim, "approve", feedback="Fine", version=seen)
    assert response.status_code == 409
    assert "changed this contribution after you loaded it" in text_of(response)

    response = decide(client, l, l.claim, "approve", feedback="Fine", version=seen, headers=HTMX)
    assert response.status_code == 409 and response["HX-Reswap"] == "outerHTML"
    region = text_of(response)
    assert "Rewritten by the student" in region and f'name="version" value="{seen + 1}"' in region
    assert ">Fine</textarea>" in region  # what the teacher typed is kept
    l.claim.refresh_from_db()
    assert l.claim.status == NodeStatus.PENDING and not Review.objects.exists()


@pytest.mark.parametrize("data, message", [
    ({"decision": "reject", "feedback": ""}, "Say why it is rejected"),
    ({"decision": "approve", "feedback": "x" * 2001}, "Keep the feedback to 2,000 characters"),
    ({"decision": "approve", "feedback": "nul \x00 here"}, "NUL character"),
    ({"decision": "approve", "grade": "y" * 21}, "A grade is at most 20 characters"),
    ({"decision": "maybe"}, "Choose approve or reject"),
    ({"decision": "approve", "version": "x"}, "Enter a whole number"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_saved(client, moderated, data, message):
    l = moderated
    client.force_login(l.teacher)
    data = {"version": l.claim.version, **data}
    for headers in ({}, HTMX):
        response = client.post(review_url(l, l.claim), data, headers=headers)
        assert response.status_code == 400
        assert message in text_of(response)
        assert "\x00" not in response.content.decode()
    l.claim.refresh_from_db()
    assert l.claim.status == NodeStatus.PENDING and not Review.objects.exists()


def test_a_node_of_another_exercise_or_none_at_all_is_404(client, moderated, build):
    l = moderated
    other = build()
    foreign = other.claim("Elsewhere", under=other.thesis())
    client.force_login(l.teacher)
    assert client.post(review_url(l, foreign), {"decision": "approve", "version": 1}).status_code == 404
    missing = reverse("review-node", args=[l.exercise.pk, 10**9])
    assert client.post(missing, {"decision": "approve", "version": 1}).status_code == 404
    assert client.get(review_url(l, l.claim)).status_code == 405
    foreign.refresh_from_db()
    assert foreign.status == NodeStatus.APPROVED and not Review.objects.exists()


# Grades and release


def test_grades_and_feedback_stay_hidden_until_released_and_never_reach_other_students(client, moderated):
    l = moderated
    author, other = l.students
    client.force_login(l.teacher)
    decide(client, l, l.claim, "approve", feedback="Sharp reading", grade="9/10")
    result_url = reverse("exercise-result", args=[l.exercise.pk, author.pk])
    assert client.post(result_url, {"feedback": "Strong work overall", "grade": "A-"}).status_code == 302

    client.force_login(author)
    page = text_of(client.get(my_work_url(l)))
    assert "Sharp reading" not in page and "9/10" not in page and "Strong work overall" not in page
    assert "not released" in page

    client.force_login(l.teacher)
    release_url = reverse("exercise-release", args=[l.exercise.pk])
    assert client.post(release_url, {"release": "release"}).status_code == 302
    client.force_login(author)
    page = text_of(client.get(my_work_url(l)))
    assert "Sharp reading" in page and "9/10" in page and "Strong work overall" in page and "A-" in page
    client.force_login(other)
    page = text_of(client.get(my_work_url(l)))
    assert "Sharp reading" not in page and "9/10" not in page and "Strong work overall" not in page

    client.force_login(l.co_teacher)
    response = client.post(release_url, {"release": "hide"}, headers=HTMX)
    assert response.status_code == 200 and "Release results to students" in text_of(response)
    client.force_login(author)
    assert "Strong work overall" not in text_of(client.get(my_work_url(l)))


def test_only_teachers_release_and_grade(client, moderated):
    l = moderated
    client.force_login(l.students[0])
    assert client.post(reverse("exercise-release", args=[l.exercise.pk]), {"release": "release"}).status_code == 403
    url = reverse("exercise-result", args=[l.exercise.pk, l.students[0].pk])
    assert client.post(url, {"grade": "A+"}).status_code == 403
    l.exercise.refresh_from_db()
    assert not l.exercise.results_released and not StudentResult.objects.exists()


def test_a_students_result_form_saves_in_place_and_refuses_bad_input(client, moderated, outsider):
    l = moderated
    client.force_login(l.teacher)
    url = reverse("exercise-result", args=[l.exercise.pk, l.students[1].pk])
    response = client.post(url, {"feedback": "Keep going", "grade": "B"}, headers=HTMX)
    assert response.status_code == 200
    row = text_of(response).split(f'id="student-{l.students[1].pk}"')[1]
    assert "Saved." in row and ">Keep going</textarea>" in row
    response = client.post(url, {"feedback": "fine", "grade": "z" * 30}, headers=HTMX)
    assert response.status_code == 400 and response["HX-Reswap"] == "outerHTML"
    row = text_of(response).split(f'id="student-{l.students[1].pk}"')[1]
    assert "A grade is at most 20 characters" in row and 'value="' + "z" * 30 in row
    response = client.post(url, {"feedback": "fine", "grade": "z" * 30})
    assert response.status_code == 400 and "A grade is at most 20 characters" in text_of(response)
    assert StudentResult.objects.get().grade == "B"
    stranger = reverse("exercise-result", args=[l.exercise.pk, outsider.pk])
    assert client.post(stranger, {"grade": "B"}).status_code == 404


# The export


def test_the_csv_has_one_row_per_student_escaped_and_safe_from_formulas(client, moderated):
    l = moderated
    author, other = l.students
    other.first_name, other.last_name = 'Ян "Янка"', "Купала, младший"
    other.save()
    contribute(l, author, "Approved evidence", under=l.thesis, quote="The relay stations stopped working.")
    remark(l.claim, other, "A thought")
    StudentResult.objects.create(exercise=l.exercise, user=author, grade="=1+1", feedback="-2 points\nfor lateness")
    client.force_login(l.teacher)

    response = client.get(reverse("exercise-csv", args=[l.exercise.pk]))

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["username"] for r in rows] == ["student-1", "student-2"]
    first, second = rows
    assert (first["full name"], first["nodes"], first["evidence"], first["evidence pending"]) == (
        "Alesia Kupala", "2", "1", "1")
    assert (first["pending"], first["approved"], first["evidence target"]) == ("1", "1", "2")
    assert first["grade"] == "'=1+1" and first["feedback"] == "'-2 points\nfor lateness"
    assert second["full name"] == 'Ян "Янка" Купала, младший' and second["comments"] == "1"
    assert first["last activity"].endswith("+03:00")  # the class's zone, Europe/Minsk
    assert second["grade"] == ""


# The student's page and the teacher's


def test_teachers_are_sent_from_my_work_to_the_dashboard(client, moderated):
    l = moderated
    client.force_login(l.teacher)
    response = client.get(my_work_url(l))
    assert response.status_code == 302 and response.url == dashboard_url(l)


def test_my_work_shows_progress_against_the_targets(client, moderated):
    l = moderated
    author = l.students[0]
    contribute(l, author, "Approved evidence", under=l.thesis, quote="The relay stations stopped working.")
    client.force_login(author)
    page = text_of(client.get(my_work_url(l)))
    assert re.search(r"Evidence:\s*<strong>1 of 2</strong>", page)
    assert "(and 1 waiting for approval)" in page


def test_a_students_work_can_be_opened_and_reviewed_from_the_table(client, moderated):
    l = moderated
    done = contribute(l, l.students[0], "Earlier approved claim", under=l.thesis)
    client.force_login(l.teacher)
    page = text_of(client.get(dashboard_url(l) + f"?student={l.students[0].pk}"))
    assert "Work of Alesia Kupala (2)" in page and "Earlier approved claim" in page
    assert decide(client, l, done, "approve", grade="7").status_code == 302
    assert Review.objects.get(node=done).grade == "7"
    assert client.get(dashboard_url(l) + "?student=999999").status_code == 404


# Live updates


def poll_url(client, l) -> str:
    found = POLLER.search(client.get(dashboard_url(l)).content.decode())
    assert found, "the dashboard has no poller"
    return html.unescape(found.group(1))


def test_the_dashboard_poll_answers_204_until_something_changes_in_one_query(
        client, moderated, django_assert_num_queries):
    l = moderated
    client.force_login(l.teacher)
    url = poll_url(client, l)
    client.logout()  # the signed token is enough
    with django_assert_num_queries(1):
        assert client.get(url, headers=HTMX).status_code == 204
    pending(l, l.students[1], "A new claim", under=l.thesis)
    with django_assert_num_queries(1):
        response = client.get(url, headers=HTMX)
    assert response.status_code == 200 and "argmap-changed" in response["HX-Trigger"]
    next_url = html.unescape(POLLER.search(response.content.decode()).group(1))
    assert client.get(next_url, headers=HTMX).status_code == 204
    StudentResult.objects.create(exercise=l.exercise, user=l.students[0], grade="B")
    assert client.get(next_url, headers=HTMX).status_code == 200


def test_the_dashboard_poll_names_just_the_regions_a_change_moves(client, moderated):
    l = moderated
    client.force_login(l.teacher)
    url = poll_url(client, l)

    def regions_moved() -> list[str]:
        nonlocal url
        response = client.get(url, headers=HTMX)
        assert response.status_code == 200
        url = html.unescape(POLLER.search(response.content.decode()).group(1))
        return json.loads(response["HX-Trigger"])["argmap-changed"]["regions"]

    remark(l.thesis, l.students[0], "Is this the question?")
    assert regions_moved() == ["students"]  # the table counts comments; nothing else shows them
    pending(l, l.students[1], "A claim to review", under=l.thesis, quote="The relay stations stopped working.")
    assert regions_moved() == ["contributions", "students", "coverage"]
    l.exercise.results_released_at = timezone.now()
    l.exercise.save()
    assert "release" in regions_moved()
    assert client.get(url, headers=HTMX).status_code == 204


def test_the_dashboard_poll_refuses_bad_and_forged_requests(client, moderated):
    l = moderated
    client.force_login(l.teacher)
    url = poll_url(client, l)
    base = reverse("exercise-dashboard-activity", args=[l.exercise.pk])
    assert client.get(re.sub(r"since=[^&]+", "since=nonsense", url)).status_code == 400
    assert client.get(re.sub(r"token=[^&]+", "token=forged", url)).status_code == 403
    other = reverse("exercise-dashboard-activity", args=[l.exercise.pk + 1])
    assert client.get(url.replace(base, other)).status_code == 403


def test_a_live_region_can_be_fetched_alone(client, moderated):
    l = moderated
    client.force_login(l.teacher)
    response = client.get(dashboard_url(l), headers=htmx("students"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="students"') and "<html" not in body
    whole = client.get(dashboard_url(l)).content.decode()
    for region in ("contributions", "release", "students", "coverage"):
        assert re.search(rf'id="{region}"[^>]*data-live-region', whole), region


def test_the_dashboard_shows_passages_used_and_unused(client, moderated):
    l = moderated
    client.force_login(l.teacher)
    page = text_of(client.get(dashboard_url(l)))
    coverage = page[page.index('id="coverage"'):]
    assert "Test article: 1 of 2 paragraphs used, 1 passage quoted" in coverage
    assert "The relay stations stopped working. Minsk said one thing." in coverage


# After closing


def close(l):
    l.exercise.opens_at = timezone.now() - timedelta(days=2)
    l.exercise.closes_at = timezone.now() - timedelta(minutes=1)
    l.exercise.save()


def test_after_closing_approving_or_rejecting_is_refused_like_every_other_write(client, moderated):
    l = moderated
    close(l)
    client.force_login(l.teacher)
    for decision, headers in (("approve", None), ("reject", HTMX), ("approve", HTMX)):
        response = decide(client, l, l.claim, decision, feedback="Too late?", grade="A", headers=headers)
        assert response.status_code == 403
        page = text_of(response)
        assert "This exercise closed at " in page and "; the map is read-only." in page
    l.claim.refresh_from_db()
    assert l.claim.status == NodeStatus.PENDING and not Review.objects.exists()
    client.force_login(l.students[1])  # the late approval would have shown it to classmates
    assert "He keeps doors open" not in text_of(client.get(l.map.get_absolute_url()))


def test_a_decision_in_the_domain_is_refused_once_the_exercise_has_closed(moderated):
    l = moderated
    close(l)
    with pytest.raises(moderation.ExerciseClosed, match="; the map is read-only."):
        moderation.approve(l.claim, l.teacher)
    assert Node.objects.get(pk=l.claim.pk).status == NodeStatus.PENDING and not Review.objects.exists()


def test_after_closing_the_dashboard_shows_what_was_not_reviewed_and_still_takes_grades(client, moderated):
    l = moderated
    close(l)
    client.force_login(l.teacher)
    for url in (dashboard_url(l), f"{dashboard_url(l)}?student={l.students[0].pk}"):
        page = text_of(client.get(url))
        part = page[page.index('id="contributions"'):page.index('id="release"')]
        assert "He keeps doors open to the West" in part and "Not reviewed before closing" in part
        assert review_url(l, l.claim) not in part and ">Approve</button>" not in part
        assert ">Reject</button>" not in part
    result = reverse("exercise-result", args=[l.exercise.pk, l.students[0].pk])
    assert result in page
    assert client.post(result, {"feedback": "Good work overall", "grade": "B"}, headers=HTMX).status_code == 200
    assert StudentResult.objects.get().grade == "B"
