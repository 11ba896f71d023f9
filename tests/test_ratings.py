"""Source reliability ratings: a map's owners rate each of its sources (0 to 4, with a note) and say
whether the rating counts; everyone reading the map sees it; every change is in the history."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from argmap import ratings
from argmap.access import Access
from argmap.exports import argmap_json
from argmap.exports.loading import MapExport
from argmap.imports import import_map
from argmap.models import Change, Map, Source, SourceRating, Visibility
from tests.conftest import PASSWORD
from tests.helpers import HTMX


def rate_url(map_, source):
    return f"/maps/{map_.code}/sources/{source.code}/rating/"


def reader_url(map_, source):
    return f"/maps/{map_.code}/sources/{source.code}/"


def post_rating(client, map_, source, rating="1", note="Openly partisan.", counts="on", **kwargs):
    data = {"rating": rating, "note": note}
    if counts:
        data["counts"] = counts
    return client.post(rate_url(map_, source), data, **kwargs)


# The domain: argmap.ratings.set_rating


def test_it_rates_a_source_and_records_it_in_the_history(build, teacher):
    b = build()
    before = Map.objects.get(pk=b.map.pk).votes_revision
    rating = ratings.set_rating(b.map, b.source, 1, "  Openly partisan.  ", True, teacher)
    assert (rating.rating, rating.note, rating.counts, rating.rated_by) == (1, "Openly partisan.", True, teacher)
    change = Change.objects.get(map=b.map, target_type="source")
    assert (change.action, change.target_id, change.actor) == ("edit", b.source.pk, teacher)
    assert change.before is None and change.after == {"rating": 1, "note": "Openly partisan.", "counts": True}
    assert Map.objects.get(pk=b.map.pk).votes_revision == before + 1  # cached strengths are recomputed


def test_it_changes_a_rating_with_its_state_before_and_after(build, teacher):
    b = build()
    ratings.set_rating(b.map, b.source, 1, "Partisan", True, teacher)
    ratings.set_rating(b.map, b.source, 3, "Checked it again", False, teacher)
    assert SourceRating.objects.filter(map=b.map, source=b.source).count() == 1
    last = Change.objects.filter(map=b.map, target_type="source").last()
    assert last.before == {"rating": 1, "note": "Partisan", "counts": True}
    assert last.after == {"rating": 3, "note": "Checked it again", "counts": False}


def test_saving_the_same_rating_again_records_nothing(build, teacher):
    b = build()
    ratings.set_rating(b.map, b.source, 2, "Fair", True, teacher)
    ratings.set_rating(b.map, b.source, 2, "Fair ", True, teacher)
    assert Change.objects.filter(map=b.map, target_type="source").count() == 1


@pytest.mark.parametrize("rating, note, counts, message", [
    (-1, "", True, "from 0 to 4"),
    (5, "", True, "from 0 to 4"),
    ("3", "", True, "from 0 to 4"),
    (True, "", True, "from 0 to 4"),
    (2, "x" * 501, True, "at most 500"),
    (2, "bad\x00note", True, "NUL"),
    (2, "", "yes", "yes or no"),
])
def test_it_refuses_bad_values_and_saves_nothing(build, teacher, rating, note, counts, message):
    b = build()
    with pytest.raises(ValidationError, match=message):
        ratings.set_rating(b.map, b.source, rating, note, counts, teacher)
    assert not SourceRating.objects.exists() and not Change.objects.filter(target_type="source").exists()


def test_it_rates_only_the_maps_own_sources(build, teacher):
    b = build()
    other = Source.objects.create(text="Not attached to this map.")
    with pytest.raises(ValidationError, match="map's own sources"):
        ratings.set_rating(b.map, other, 2, "", True, teacher)
    assert not SourceRating.objects.exists()


def test_ratings_belong_to_each_map(build, teacher):
    first, second = build(), build()  # the same article on two maps
    ratings.set_rating(first.map, first.source, 0, "Propaganda", True, teacher)
    ratings.set_rating(second.map, second.source, 4, "Primary source", True, teacher)
    on_first = ratings.with_ratings(first.map.sources.all(), first.map).get()
    on_second = ratings.with_ratings(second.map.sources.all(), second.map).get()
    assert (on_first.map_rating, on_second.map_rating) == (0, 4)


def test_a_map_with_a_rating_exports_and_imports_back(build, teacher):
    b = build()
    ratings.set_rating(b.map, b.source, 1, "Partisan", True, teacher)
    data = argmap_json.render(MapExport.load(Access.for_site_operator(b.map))).encode()
    copy = import_map(data, format="json", user=teacher).map
    assert Change.objects.filter(map=copy, target_type="source", after__rating=1).exists()


# The views


def test_an_owner_rates_a_source_and_everyone_sees_it(client, build, teacher, outsider):
    b = build()
    client.force_login(teacher)
    response = post_rating(client, b.map, b.source, rating="1", note="Openly <b>partisan</b>.")
    assert response.status_code == 302 and response["Location"] == reader_url(b.map, b.source) + "#source-rating"
    assert SourceRating.objects.get(map=b.map, source=b.source).rating == 1
    client.force_login(outsider)  # a public map: anyone reads it
    page = client.get(reader_url(b.map, b.source)).text
    assert "Reliability on this map: 1 of 4" in page and "starts from strength 0.25" in page
    assert "Openly &lt;b&gt;partisan&lt;/b&gt;." in page
    assert "Rate this source" not in page and "Change the rating" not in page
    assert "Reliability 1 of 4" in client.get(b.map.get_absolute_url()).text  # the map's list of sources


def test_a_rating_that_does_not_count_says_so(client, build, teacher):
    b = build()
    client.force_login(teacher)
    post_rating(client, b.map, b.source, rating="3", counts="")
    assert SourceRating.objects.get().counts is False
    page = client.get(reader_url(b.map, b.source)).text
    assert "chose not to let it change the strength" in page and "Change the rating" in page
    assert "Reliability 3 of 4, not used for strengths" in client.get(b.map.get_absolute_url()).text


def test_htmx_gets_the_rating_panel_back(client, build, teacher):
    b = build()
    client.force_login(teacher)
    response = post_rating(client, b.map, b.source, rating="4", headers=HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="source-rating"') and "Saved the rating." in response.text
    assert "Reliability on this map: 4 of 4" in response.text


def test_the_owner_has_a_form_on_the_reader_and_a_page_of_its_own(client, build, teacher):
    b = build()
    ratings.set_rating(b.map, b.source, 2, "Fair", False, teacher)
    client.force_login(teacher)
    reader = client.get(reader_url(b.map, b.source)).text
    assert "Change the rating" in reader and 'value="2" required id="rating-rating_2" checked' in reader
    page = client.get(rate_url(b.map, b.source))
    assert page.status_code == 200 and "<details class=\"source-rating-edit\" open>" in page.text


@pytest.mark.parametrize("role", ["editor", "contributor", "viewer"])
def test_only_owners_rate(client, build, people, role):
    b = build()
    person = people(b.map)[role]
    client.force_login(person)
    response = post_rating(client, b.map, b.source)
    assert response.status_code == 403 and "Only the owners of this map rate its sources." in response.text
    assert client.get(rate_url(b.map, b.source)).status_code == 403
    assert not SourceRating.objects.exists()
    assert "Rate this source" not in client.get(reader_url(b.map, b.source)).text


def test_a_private_map_is_not_found_for_an_outsider(client, build, outsider):
    b = build(Visibility.PRIVATE)
    client.force_login(outsider)
    assert post_rating(client, b.map, b.source).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, build):
    b = build()
    response = post_rating(client, b.map, b.source)
    assert response.status_code == 302 and "/login" in response["Location"]
    assert not SourceRating.objects.exists()


def test_a_source_of_another_map_is_not_found(client, build, teacher):
    b = build()
    other = Source.objects.create(text="Not attached to this map.")
    client.force_login(teacher)
    assert post_rating(client, b.map, other).status_code == 404


def test_it_refuses_other_methods(client, build, teacher):
    b = build()
    client.force_login(teacher)
    assert client.put(rate_url(b.map, b.source)).status_code == 405
    assert client.delete(rate_url(b.map, b.source)).status_code == 405


@pytest.mark.parametrize("rating, note, message", [
    ("7", "", "Select a valid choice"),
    ("", "", "This field is required"),
    ("2", "x" * 501, "at most 500 characters"),
    ("2", "Nul\x00here", "Null characters are not allowed"),
])
def test_bad_input_shows_the_form_again_with_the_error(client, build, teacher, rating, note, message):
    b = build()
    client.force_login(teacher)
    response = post_rating(client, b.map, b.source, rating=rating, note=note)
    assert response.status_code == 400 and message in response.text and "The rating was not saved" in response.text
    assert "\x00" not in response.text
    htmx = post_rating(client, b.map, b.source, rating=rating, note=note, headers=HTMX)
    assert htmx.status_code == 400 and htmx["HX-Reswap"] == "outerHTML" and message in htmx.text
    assert not SourceRating.objects.exists()


def test_a_teacher_rates_the_sources_of_an_open_exercise_and_students_do_not(client, lesson):
    l = lesson()
    client.force_login(l.co_teacher)  # a teacher of the class who does not own the map
    assert post_rating(client, l.map, l.builder.source, rating="0").status_code == 302
    client.force_login(l.students[0])
    assert post_rating(client, l.map, l.builder.source, rating="4").status_code == 403
    page = client.get(reader_url(l.map, l.builder.source)).text
    assert "Reliability on this map: 0 of 4" in page and "Rate this source" not in page
    assert SourceRating.objects.get().rating == 0


def test_a_closed_exercise_keeps_its_ratings(client, lesson):
    l = lesson(opens_at=timezone.now() - timedelta(hours=2), closes_at=timezone.now() - timedelta(hours=1))
    ratings.set_rating(l.map, l.builder.source, 3, "Solid", True, l.teacher)
    assert client.login(username=l.teacher.username, password=PASSWORD)
    response = post_rating(client, l.map, l.builder.source, rating="1")
    assert response.status_code == 403 and "closed" in response.text
    assert SourceRating.objects.get().rating == 3
    page = client.get(reader_url(l.map, l.builder.source)).text
    assert "Reliability on this map: 3 of 4" in page and "Change the rating" not in page
