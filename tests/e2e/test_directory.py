from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from letters import drafting
from letters.models import Letter
from recipients.models import Position
from tests.e2e.conftest import assert_accessible
from tests.factories import make_official, make_position, make_term

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"directory_{name}.png", full_page=True)


def test_admin_changes_the_prime_minister_and_only_the_draft_follows(
    page, live_server, log_in, demo, admin_user
):
    sent = demo  # JP-2009-12 was sent, so its recipients are frozen
    drafter = User.objects.get(username="drafter")
    draft = drafting.copy_letter(sent, reference="JP-2010-03", by=drafter)
    log_in(admin_user)

    page.get_by_role("link", name="Directory", exact=True).click()
    expect(page.get_by_role("heading", name="Directory of officials")).to_be_visible()
    expect(page.get_by_role("heading", name="Cabinet Secretariat")).to_be_visible()
    assert_accessible(page)
    shot(page, "list")

    page.get_by_role("link", name="Prime Minister", exact=True).click()
    expect(page.get_by_text("Dear Prime Minister Hatoyama,")).to_be_visible()
    assert_accessible(page)
    shot(page, "position")

    page.get_by_role("link", name="Change holder").click()
    assert_accessible(page)
    page.get_by_label("First day in office").fill("2010-06-08")
    page.get_by_label("Honorific").fill("H.E. Mr")
    page.get_by_label("Given name", exact=True).fill("Naoto")
    page.get_by_label("Family name", exact=True).fill("Kan")
    page.get_by_label("Family name first (Hatoyama Yukio)").check()
    page.get_by_label("Native-script name").fill("菅直人")
    page.get_by_label("Note").fill("New cabinet")
    shot(page, "change_holder")
    page.get_by_role("button", name="Change holder").click()

    status = page.get_by_role("status").first
    expect(status).to_contain_text("Kan Naoto holds Prime Minister from 8 June 2010.")
    expect(status).to_contain_text(
        re.compile(r"Told the drafters of [^:]*JP-2010-03[^:]* by e-mail")
    )
    expect(page.get_by_text("Letters greet: Dear Prime Minister Kan,")).to_be_visible()
    history = page.get_by_role("region", name="History")
    expect(history.get_by_text("Created: Term of Kan Naoto")).to_be_visible()
    assert_accessible(page)
    shot(page, "after_change")
    assert [m.to for m in mail.outbox] == [[drafter.email]]

    page.goto(live_server.url + reverse("letters:drafting_preview", args=[draft.pk]))
    expect(page.get_by_text("Dear Prime Minister Kan,")).to_be_visible()
    expect(page.get_by_text("H.E. Mr Kan Naoto")).to_be_visible()
    assert_accessible(page)
    shot(page, "draft_preview")

    page.goto(live_server.url + reverse("letters:drafting_preview", args=[sent.pk]))
    expect(page.get_by_text("Dear Prime Minister Hatoyama,")).to_be_visible()
    # The name, not the letterhead's "Kanda-Jimbocho" (the preview is the printed page).
    expect(page.get_by_text(re.compile(r"\bKan\b"))).to_have_count(0)
    assert_accessible(page)
    assert Letter.objects.get(pk=sent.pk).status == "sent"


def test_admin_edits_an_address_with_a_live_preview_and_confirms_it(
    page, live_server, log_in, demo, admin_user
):
    position = Position.objects.get(title="Commandant")
    log_in(admin_user)
    expect(page.get_by_role("region", name="Addresses to check")).to_contain_text("Commandant")
    assert_accessible(page)
    shot(page, "dashboard")

    page.goto(live_server.url + reverse("recipients:position_edit", args=[position.pk]))
    assert_accessible(page)
    preview = page.locator("#preview")
    expect(preview).to_contain_text("100-8918")
    page.locator("#id_postal_code").fill("100-8932")
    expect(preview).to_contain_text("100-8932")
    page.locator("#id_country").select_option("US")
    expect(preview).to_contain_text("Addresses in United States need a state.")
    expect(preview).to_contain_text("UNITED STATES")
    shot(page, "edit_preview")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Addresses in United States need a state.").first).to_be_visible()
    assert_accessible(page)
    page.locator("#id_country").select_option("JP")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved Commandant.")).to_be_visible()
    expect(page.get_by_text("Needs checking").first).to_be_visible()

    page.get_by_role("button", name="Confirm verified today").click()
    expect(page.get_by_text("Commandant: confirmed correct today.")).to_be_visible()
    expect(page.get_by_text("Needs checking")).to_have_count(0)
    expect(page.get_by_role("region", name="History")).to_contain_text("100-8932")
    assert_accessible(page)


def test_admin_imports_a_csv_after_a_preview(page, live_server, log_in, admin_user, tmp_path):
    csv = tmp_path / "positions.csv"
    csv.write_text(
        "title,institution,country,address_lines,locality,region,postal_code\n"
        "Secretary of State,Department of State,US,2201 C Street NW,Washington,DC,20520\n"
        "Chancellor,Federal Chancellery,DE,Willy-Brandt-Str. 1,Berlin,,ABC\n",
        encoding="utf-8",
    )
    log_in(admin_user)
    page.goto(live_server.url + reverse("recipients:import"))
    assert_accessible(page)
    page.get_by_label("CSV or Excel file").set_input_files(csv)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("Nothing was imported")).to_be_visible()
    expect(page.get_by_text(re.compile("postal code for Germany"))).to_be_visible()
    assert_accessible(page)
    shot(page, "import_errors")

    csv.write_text(csv.read_text().replace(",ABC", ",10557"), encoding="utf-8")
    page.get_by_label("CSV or Excel file").set_input_files(csv)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("Preview: nothing is saved until you confirm")).to_be_visible()
    assert_accessible(page)
    assert not Position.objects.exists()
    page.get_by_role("button", name="Import 2 rows").click()
    expect(page.get_by_text("Imported 2 new and 0 updated positions")).to_be_visible()
    expect(page.get_by_role("link", name="Chancellor")).to_be_visible()
    assert_accessible(page)


def test_a_drafter_reads_the_directory_but_sees_no_edit_buttons(
    page, live_server, log_in, demo, drafter
):
    log_in(drafter)
    page.goto(live_server.url + reverse("recipients:list"))
    # Keyboard only: focus the search box, type, submit with Enter.
    search = page.get_by_label("Search")
    search.focus()
    page.keyboard.type("okada")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=okada"))
    expect(page.get_by_role("link", name="Minister for Foreign Affairs")).to_be_visible()
    expect(page.get_by_role("link", name="Prime Minister", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="New position")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Okada Katsuya").click()
    expect(page.get_by_role("heading", name="H.E. Mr Okada Katsuya")).to_be_visible()
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    assert_accessible(page)
    shot(page, "official")


def test_admin_adds_a_person_and_sees_the_name_order_live(page, live_server, log_in, admin_user):
    log_in(admin_user)
    page.goto(live_server.url + reverse("recipients:officials"))
    assert_accessible(page)
    page.get_by_role("link", name="New person").click()
    assert_accessible(page)
    page.get_by_label("Honorific").fill("H.E.")
    page.locator("#id_given_name").fill("Myung-bak")
    page.locator("#id_family_name").fill("Lee")
    preview = page.locator("#preview")
    expect(preview).to_contain_text("H.E. Myung-bak Lee")
    page.get_by_label("Family name first (Hatoyama Yukio)").check()
    page.get_by_label("Native-script name").fill("이명박")
    expect(preview).to_contain_text("H.E. Lee Myung-bak")
    expect(preview).to_contain_text("Lee Myung-bak (이명박)")
    expect(preview).to_contain_text("Dear Minister Lee,")
    assert_accessible(page)
    shot(page, "official_form")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="H.E. Lee Myung-bak")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_long_email_wraps_inside_its_column(page, live_server, log_in, drafter, width):
    email = "public-relations-office.cabinet-secretariat.government@kantei.example.go.jp"
    position = make_position(title="Prime Minister", email=email, phone="+81 3 3581 0101")
    make_term(position, make_official(given_name="Yukio", family_name="Hatoyama"))
    page.set_viewport_size({"width": width, "height": 900})
    log_in(drafter)
    page.goto(live_server.url + reverse("recipients:list"))
    link = page.get_by_role("link", name=email)
    expect(link).to_be_visible()
    cell = link.locator("xpath=ancestor::td")
    greeting = page.get_by_role("cell", name="Dear Prime Minister Hatoyama,")
    # Every line of the address stays left of the Salutation column, at any width.
    right = max(box["right"] for box in link.evaluate_all(
        "links => [...links[0].getClientRects()].map(r => ({right: r.right}))"
    ))  # fmt: skip
    assert right <= cell.bounding_box()["x"] + cell.bounding_box()["width"]
    assert right <= greeting.bounding_box()["x"]
    assert_accessible(page)
    link.scroll_into_view_if_needed()  # on a phone the table scrolls sideways
    shot(page, f"long_email_{width}")
