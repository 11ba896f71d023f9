"""Signing up, making a map and giving a classmate a role on it, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "plum-orchard-lantern-42"


@pytest.fixture
def classmate(transactional_db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("daria", password="a-long-classmate-pass")


def test_it_passes_axe_on_the_login_and_sign_up_pages(page, live_server, axe_clean):
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    axe_clean(page)
    page.get_by_role("link", name="Sign up").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign up")
    axe_clean(page)


def test_it_signs_up_makes_a_map_and_invites_a_classmate(page, live_server, classmate, axe_clean):
    from argmap.models import Map, Membership, Role

    page.goto(f"{live_server.url}/accounts/signup/?next=/maps/new/")
    page.get_by_label("Username").fill("anna-k")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()

    # Straight on to the new map form it came for, signed in.
    expect(page.get_by_role("heading", level=1)).to_have_text("New map")
    expect(page.get_by_role("navigation", name="Site")).to_contain_text("Signed in as anna-k")
    axe_clean(page)
    page.get_by_label("Title").fill("Should homework be banned?")
    page.get_by_label("Question or motion").fill("Does homework help pupils learn?")
    page.get_by_label("Private (only people given a role)").check()
    page.get_by_role("button", name="Create map").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Should homework be banned?")

    page.get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Members")
    axe_clean(page)
    page.get_by_label("Username").fill("daria")
    page.get_by_label("Role").select_option("contributor")
    page.get_by_role("button", name="Invite").click()

    expect(page.get_by_role("status")).to_have_text("daria is now contributor on this map.")
    row = page.get_by_role("row", name=re.compile("daria"))
    expect(row.get_by_role("cell").first).to_have_text("Contributor")
    axe_clean(page)

    row.get_by_label("New role for daria").select_option("viewer")
    row.get_by_role("button", name="Change role of daria").click()
    expect(page.get_by_role("status")).to_have_text("daria is now viewer on this map.")

    map_ = Map.objects.get(title="Should homework be banned?")
    assert map_.owner.username == "anna-k"
    assert Membership.objects.get(map=map_).role == Role.VIEWER

    page.get_by_role("button", name="Remove daria").click()
    expect(page.get_by_role("status")).to_have_text("daria no longer has a role on this map.")
    expect(page.get_by_role("row", name=re.compile("daria"))).to_have_count(0)
