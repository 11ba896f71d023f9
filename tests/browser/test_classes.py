"""A teacher makes a class and accounts for two students; a student logs in with the one-time
password from the sheet, chooses their own, and lands on the class page. In a real browser."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TEACHER_PASSWORD = "a-long-teacher-pass"
NEW_PASSWORD = "plum-orchard-lantern-42"


@pytest.fixture
def teacher(transactional_db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("ms-novak", password=TEACHER_PASSWORD)


def test_a_teacher_makes_accounts_and_a_student_logs_in_with_one(page, new_page, live_server, teacher, log_in,
                                                                   axe_clean):
    log_in(page, "ms-novak", TEACHER_PASSWORD)
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Classes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Classes")
    page.get_by_role("link", name="New class").click()
    page.get_by_label("Name").fill("Year 11 debate")
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Minsk")
    page.get_by_role("button", name="Create class").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Year 11 debate")
    expect(page.get_by_role("status")).to_contain_text("Class “Year 11 debate” created.")
    from argmap.models import SchoolClass

    expect(page.locator(".join-code")).to_have_text(f"Join code: {SchoolClass.objects.get().join_code}")
    axe_clean(page)

    page.get_by_label("Students' names, one a line").fill("Анна Ковалёва\nBoris Novak\n")
    page.get_by_role("button", name="Make accounts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accounts for Year 11 debate")
    expect(page.get_by_role("alert")).to_contain_text("These passwords are shown only this once.")
    expect(page.get_by_role("button", name="Print this sheet")).to_be_visible()
    slips = page.locator(".slip")
    expect(slips).to_have_count(2)
    anna = slips.filter(has_text="Анна Ковалёва")
    expect(anna).to_contain_text("anna-kovaleva")
    one_time = anna.locator("dd.slip-secret").nth(1).inner_text().strip()
    assert len(one_time) == 10
    axe_clean(page)

    student = new_page()
    log_in(student, "anna-kovaleva", one_time)
    expect(student.get_by_role("heading", level=1)).to_have_text("Choose your password")
    axe_clean(student)
    student.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    student.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    student.get_by_role("button", name="Save my password").click()

    expect(student.get_by_role("heading", level=1)).to_have_text("Year 11 debate")
    expect(student.get_by_role("status")).to_contain_text("Your password is set")
    expect(student.get_by_text("Taught by ms-novak.")).to_be_visible()
    axe_clean(student)

    # Back on the teacher's page: Anna has chosen her password, Boris not yet.
    page.get_by_role("link", name="Back to Year 11 debate").click()
    expect(page.get_by_role("row", name="anna-kovaleva")).to_contain_text("Their own")
    expect(page.get_by_role("row", name="boris-novak")).to_contain_text("One-time: not yet changed")

    # Removing asks first: dismissed, nothing happens; accepted, Boris is gone.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Remove boris-novak").click()
    expect(page.get_by_role("row", name="boris-novak")).to_have_count(1)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove boris-novak").click()
    expect(page.get_by_role("status")).to_contain_text("boris-novak is no longer in this class.")
    expect(page.get_by_role("row", name="boris-novak")).to_have_count(0)
