"""A drafter writes a letter of the real case's shape from scratch, in a real browser."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from letters.models import Letter, LetterStatus
from recipients.models import Delivery, PositionKind
from tests.e2e.conftest import assert_accessible
from tests.factories import make_official, make_organization, make_position, make_term

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


@pytest.fixture
def address_book(db):
    pm = make_position(
        title="Prime Minister",
        institution="Cabinet Secretariat",
        department="Public Relations Office",
        address_lines="1-6-1 Nagata-cho\nChiyoda-ku",
        postal_code="100-8968",
        country="JP",
    )
    make_term(pm, make_official(honorific="H.E.", given_name="Yukio", family_name="Hatoyama"))
    fm = make_position(
        title="Minister for Foreign Affairs", institution="Ministry of Foreign Affairs"
    )
    make_term(fm, make_official(honorific="H.E.", given_name="Katsuya", family_name="Okada"))
    dg = make_position(title="Director-General", institution="Immigration Bureau")
    make_term(dg, make_official(honorific="Mr", given_name="Ichiro", family_name="Nishikawa"))
    make_organization(name="Asia Rights Monitor", short_name="ARM")
    make_organization(name="Refugee Support Network Japan", short_name="RSNJ")


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"drafting_{name}.png", full_page=True)


def section(page, heading: str):
    return page.get_by_role("region", name=re.compile(rf"^\d+\. {re.escape(heading)}$"))


def add_recommendation(page, heading: str, text: str, *, third_state: str = "", theme: str = ""):
    box = section(page, heading)
    box.get_by_role("link", name=f"Add a recommendation to “{heading}”").click()
    box.get_by_label("Text").fill(text)
    if third_state:
        box.get_by_label("Third state (optional)").select_option(label=third_state)
    if theme:
        box.get_by_label("New themes").fill(theme)
    box.get_by_role("button", name="Add recommendation").click()
    expect(section(page, heading).get_by_text(text)).to_be_visible()


def find_and_add(page, query: str, role: str, title: str) -> None:
    page.get_by_label("Find an office").fill(query)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name=f"Add as {role} for {title}").click()
    recipients = page.get_by_role("region", name="Recipients")
    expect(recipients.get_by_text(f"Added {title.split(',')[0]}")).to_be_visible()


# One story from start to end: each step starts where the last one left off, so it
# stays one test (a browser session per step would only repeat the steps before it).
def test_drafter_writes_the_real_case_from_scratch(
    page, live_server, log_in, drafter, address_book
):
    page.set_default_timeout(10_000)
    log_in(drafter)
    page.get_by_role("link", name="New letter").click()
    expect(page.get_by_role("heading", name="New letter")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Reference").fill("JP-2009-12")
    page.get_by_label("Subject").fill("Human rights in Japan's policy towards North Korea")
    page.get_by_label("Date").fill("2009-12-10")
    page.get_by_label("Lead organisation").select_option(label="Asia Rights Monitor")
    page.get_by_role("button", name="Create draft").click()

    expect(page.get_by_role("heading", name=re.compile("^Edit"))).to_be_visible()
    assert_accessible(page)
    letter = Letter.objects.get(reference="JP-2009-12")

    # Recipients first, so new recommendations default to their government.
    find_and_add(page, "hatoyama", "To", "Prime Minister, Cabinet Secretariat")
    find_and_add(
        page, "foreign affairs", "Cc", "Minister for Foreign Affairs, Ministry of Foreign Affairs"
    )
    find_and_add(page, "immigration", "Cc", "Director-General, Immigration Bureau")
    recipients = page.get_by_role("region", name="Recipients")
    # The cc's copies greet the addressee too.
    greets = recipients.get_by_text("Its copy greets: Dear Prime Minister Hatoyama,")
    expect(greets).to_have_count(3)
    expect(recipients.get_by_text("Now held by H.E. Katsuya Okada")).to_be_visible()

    signers = page.get_by_role("region", name="Signing organisations")
    signers.get_by_label("Organisation").select_option(label="Refugee Support Network Japan")
    signers.get_by_label("Signer's name").fill("Ken Sato")
    signers.get_by_label("Signer's title").fill("Director")
    signers.get_by_role("button", name="Add organisation").click()
    expect(signers.get_by_text("Signed by Ken Sato, Director")).to_be_visible()

    page.get_by_label("Heading").fill("Diplomacy on human rights")
    page.get_by_role("button", name="Add section").click()
    expect(section(page, "Diplomacy on human rights")).to_be_visible()
    expect(page.get_by_role("button", name="Add section")).to_be_focused()
    page.get_by_label("Heading").fill("Refugees")
    page.get_by_label("Body").fill("Many are **returned** by force.")
    expect(page.locator("#section-new-body-preview strong")).to_have_text("returned")
    page.get_by_label("Lead in").fill("We urge the Government of Japan to:")
    page.get_by_role("button", name="Add section").click()
    expect(section(page, "Refugees")).to_be_visible()

    add_recommendation(
        page, "Diplomacy on human rights", "Raise abductions and camps in every summit."
    )
    add_recommendation(
        page,
        "Diplomacy on human rights",
        "Press China to stop returning refugees to North Korea.",
        third_state="China",
        theme="Refoulement",
    )
    add_recommendation(page, "Refugees", "Open an asylum procedure.")

    # Reorder one: the China recommendation goes first, by keyboard.
    move_up = page.get_by_role("button", name="Move “JP-2009-12-R02” up")
    move_up.focus()
    page.keyboard.press("Enter")
    first_section = section(page, "Diplomacy on human rights")
    expect(first_section.locator(".rec-text").first).to_have_text(
        "Press China to stop returning refugees to North Korea."
    )
    # Focus stays on the moved item (its "up" button is now disabled).
    expect(page.get_by_role("button", name="Move “JP-2009-12-R02” down")).to_be_focused()

    # Edit one inline, after cancelling a first attempt.
    third = page.get_by_role("listitem").filter(has_text="JP-2009-12-R03")
    third.get_by_role("link", name="Edit JP-2009-12-R03").click()
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("link", name="Cancel")).to_have_count(0)
    third.get_by_role("link", name="Edit JP-2009-12-R03").click()
    editing = page.locator("li.editing")
    expect(editing.get_by_label("Text")).to_be_focused()
    editing.get_by_label("Text").fill("Open a fair asylum procedure for North Koreans.")
    editing.get_by_label("New themes").fill("Refugees")
    assert_accessible(page)
    editing.screenshot(path=SCREENSHOTS / "drafting_inline_edit.png")
    editing.get_by_role("button", name="Save").click()
    expect(page.locator("li.editing")).to_have_count(0)
    expect(section(page, "Refugees").locator(".theme-tag")).to_have_text("Refugees")

    # The opening, with its live preview, saved with the version the page now carries.
    page.get_by_label("Opening").fill("We write to you about **human rights** in North Korea.")
    expect(page.locator("#opening-preview strong")).to_have_text("human rights")
    page.get_by_label("Closing").fill("Yours sincerely,")
    page.get_by_role("button", name="Save letter").click()
    expect(page.get_by_text(re.compile(r"Saved JP-2009-12 \(version \d+\)"))).to_be_visible()
    assert_accessible(page)
    shot(page, "editor")

    page.get_by_role("link", name="Preview").click()
    # The preview's h1 is the letter's, as in the PDF.
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Re: Human rights"))
    letter_text = page.get_by_role("article", name="Letter preview")
    expect(letter_text.get_by_text("Dear Prime Minister Hatoyama,")).to_be_visible()
    expect(
        letter_text.get_by_text("Re: Human rights in Japan's policy towards North Korea")
    ).to_be_visible()
    expect(letter_text.locator("address")).to_contain_text("H.E. Yukio Hatoyama")
    expect(letter_text.locator("address")).to_contain_text("1-6-1 Nagata-cho")
    expect(letter_text.get_by_role("heading", level=2)).to_have_text(
        ["Diplomacy on human rights", "Refugees"]
    )
    expect(letter_text.locator("ol.letter-recommendations > li")).to_have_text(
        [
            "Press China to stop returning refugees to North Korea.",
            "Raise abductions and camps in every summit.",
            "Open a fair asylum procedure for North Koreans.",
        ]
    )
    expect(letter_text.locator("ol.letter-recommendations").nth(1)).to_have_attribute("start", "3")
    expect(letter_text.get_by_text("We urge the Government of Japan to:")).to_be_visible()
    expect(letter_text.locator(".letter-section strong")).to_have_text("returned")
    expect(letter_text.locator(".letter-signature")).to_have_count(2)
    expect(letter_text.locator(".letter-signature").nth(1)).to_contain_text("Ken Sato")
    expect(letter_text.locator(".letter-cc li")).to_have_text(
        [
            re.compile("H.E. Katsuya Okada, Minister for Foreign Affairs"),
            re.compile("Mr Ichiro Nishikawa, Director-General"),
        ]
    )
    expect(letter_text.locator(".letter-opening strong")).to_have_text("human rights")
    assert_accessible(page)
    shot(page, "preview")

    letter.refresh_from_db()
    assert letter.sections.count() == 2 and letter.recommendations.count() == 3
    assert letter.content_hash == letter.compute_content_hash()


def test_the_editor_works_without_javascript(page, live_server, log_in, drafter, address_book):
    from tests.factories import make_letter

    letter = make_letter(reference="NOJS-1", subject="Plain posts")
    # No script of ours loads (htmx, Bootstrap, drafting.js), so every form is
    # a plain post; axe still runs, injected by the test rather than fetched.
    page.route("**/*.js", lambda route: route.abort())
    page.set_default_timeout(10_000)
    log_in(drafter)
    page.goto(f"{live_server.url}/letters/{letter.pk}/edit/")
    assert_accessible(page)

    page.get_by_label("Heading").fill("")
    page.get_by_role("button", name="Add section").click()
    # A full page with the form and its error.
    expect(page.get_by_text("A section needs a heading or some text.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Heading").fill("Food aid")
    page.get_by_role("button", name="Add section").click()
    expect(section(page, "Food aid")).to_be_visible()

    page.get_by_label("Find an office").fill("prime")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Add as To for Prime Minister, Cabinet Secretariat").click()
    expect(page.get_by_text("Its copy greets: Dear Prime Minister Hatoyama,")).to_be_visible()

    section(page, "Food aid").get_by_role("link", name=re.compile("^Edit")).click()
    expect(page.get_by_role("heading", name="Edit section “Food aid”")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Heading").fill("Food aid and monitoring")
    page.get_by_role("button", name="Save").click()
    expect(section(page, "Food aid and monitoring")).to_be_visible()
    assert_accessible(page)
    shot(page, "no_javascript")


def test_a_colleagues_save_is_not_overwritten(page, live_server, log_in, drafter, coordinator):
    from tests.factories import make_draft

    letter = make_draft(reference="JP-STALE")
    log_in(drafter)
    page.goto(f"{live_server.url}/letters/{letter.pk}/edit/")
    # A colleague saves while the drafter is typing.
    letter.subject = "The coordinator's subject"
    letter.save()
    letter.touch()
    page.get_by_label("Subject").fill("The drafter's subject")
    page.get_by_role("button", name="Save letter").click()
    expect(page.get_by_text("this letter changed since you opened it")).to_be_visible()
    table = page.get_by_role("table", name=re.compile("What changed"))
    expect(table).to_contain_text("The coordinator's subject")
    expect(table).to_contain_text("The drafter's subject")
    expect(page.get_by_label("Subject")).to_have_value("The drafter's subject")
    assert_accessible(page)
    shot(page, "stale")


def test_letter_list_filters(page, live_server, log_in, drafter):
    from tests.factories import make_draft

    make_draft(reference="JP-2009-12", subject="Human rights and North Korea")
    make_draft(reference="JP-2010-03", subject="Follow-up on refugees", status="sent")
    log_in(drafter)
    page.get_by_role("link", name="Letters", exact=True).click()
    assert_accessible(page)
    page.get_by_label("Status").select_option(label="Sent")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name="JP-2010-03")).to_be_visible()
    expect(page.get_by_role("link", name="JP-2009-12")).to_have_count(0)
    assert_accessible(page)
    shot(page, "list")


def test_a_sent_letter_is_duplicated_as_a_follow_up(page, live_server, log_in, drafter):
    from tests.factories import make_draft

    sent = make_draft(reference="JP-2009-12", status="sent")
    log_in(drafter)
    page.goto(f"{live_server.url}{sent.get_absolute_url()}")
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Duplicate").click()
    assert_accessible(page)
    page.get_by_label("Reference").fill("JP-2010-03")
    page.get_by_label("Subject").fill("Follow-up on our letter of December 2009")
    page.get_by_label(re.compile("JP-2009-12-R01")).uncheck()
    shot(page, "duplicate")
    page.get_by_role("button", name="Create the copy").click()
    expect(page.get_by_role("heading", name=re.compile("Follow-up on our letter"))).to_be_visible()
    expect(page.locator(".drafting-recommendation")).to_have_count(2)
    expect(page.get_by_text("Repeats JP-2009-12-R02")).to_be_visible()
    expect(page.get_by_text("Repeats JP-2009-12-R03")).to_be_visible()
    assert_accessible(page)


def test_an_expired_session_shows_the_login_page(page, live_server, log_in, drafter):
    from tests.factories import make_draft

    letter = make_draft(reference="JP-EXPIRED")
    log_in(drafter)
    page.goto(f"{live_server.url}/letters/{letter.pk}/edit/")
    page.context.clear_cookies(name="sessionid")  # the CSRF cookie outlives sessions
    page.get_by_label("Heading").fill("Typed after the session ended")
    page.get_by_role("button", name="Add section").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    assert "/login/" in page.url
    expect(page.locator("#sections")).to_have_count(0)
    assert_accessible(page)


def test_a_block_answers_the_keyboard_the_moment_it_is_swapped_in(
    page, live_server, log_in, drafter
):
    """
    A key pressed on a freshly swapped block is handled by htmx, never as a plain
    post that reloads the page and drops focus. htmx used to wire new content up
    only when it settled, 20 ms after the swap; a fast keyboard user (or a test)
    acting in between got the no-JavaScript fallback instead.
    """
    from tests.factories import make_draft

    letter = make_draft(reference="JP-FAST")
    recs = list(letter.recommendations.order_by("section__order", "order"))
    first_section = recs[0].section
    second = next(r for r in recs if r.section_id == first_section.pk and r.pk != recs[0].pk)
    log_in(drafter)
    page.goto(f"{live_server.url}/letters/{letter.pk}/edit/")
    page.evaluate("window.samePage = true")
    # As soon as the swap of the first move has been made, and before any timer
    # can run, act on the new block: move the same recommendation back down.
    page.evaluate(
        """(focus) => document.addEventListener("htmx:afterSwap", () => queueMicrotask(() => {
            const button = document.querySelector(`[data-focus="${focus}"]`);
            button.focus();
            button.click();
        }), {once: true})""",
        f"letters:drafting_recommendation_move-{second.pk}-down",
    )
    page.get_by_role("button", name=f"Move “{second.reference}” up").click()
    expect(page.locator(".drafting-notice")).to_have_text(f"Moved {second.reference}.")
    page.wait_for_function(
        "() => document.querySelectorAll('.htmx-request, .htmx-settling').length === 0"
    )
    assert page.evaluate("window.samePage === true"), "the second move reloaded the page"
    expect(page.get_by_role("button", name=f"Move “{second.reference}” up")).to_be_focused()
    letter.refresh_from_db()
    assert [r.pk for r in first_section.recommendations.order_by("order")][:2] == [
        recs[0].pk,
        second.pk,
    ]


def test_the_preview_is_the_printed_page(page, live_server, log_in, drafter):
    from tests.factories import make_draft

    draft = make_draft()
    log_in(drafter)
    page.goto(f"{live_server.url}/letters/{draft.pk}/preview/")
    sheet = page.locator("article.printed-letter")
    expect(sheet).to_be_visible()
    # One A4 sheet wide (210 mm at 96 dpi), laid out by print.css, not by the app's CSS.
    width = sheet.evaluate("e => e.getBoundingClientRect().width")
    assert abs(width - 210 / 25.4 * 96) < 2
    style = "(e, p) => getComputedStyle(e)[p]"
    assert sheet.locator(".letter-date").evaluate(style, "textAlign") == "right"
    assert sheet.locator(".letter-signature strong").first.evaluate(style, "borderTopStyle") == (
        "solid"
    )
    assert sheet.locator(".letter-signatures").evaluate(style, "display") == "block"
    assert sheet.locator(".letter-cc ul").evaluate(style, "listStyleType") == "none"
    assert sheet.locator(".letter-address").evaluate(style, "position") == "absolute"
    assert sheet.locator(".letterhead-orgs").evaluate(style, "display") == "grid"
    expect(sheet.locator(".return-line")).to_be_visible()
    expect(sheet.locator(".running-head")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Re: {draft.subject}")
    # The address shows through the window: below the letterhead, inside the sheet.
    letterhead = sheet.locator(".letterhead").bounding_box()
    address = sheet.locator(".letter-address").bounding_box()
    assert letterhead and address and address["y"] > letterhead["y"] + letterhead["height"]
    shot(page, "preview")
    assert_accessible(page)


@pytest.fixture
def council(db):
    make_position(
        title="Member and Observer States of the UN Human Rights Council",
        institution="Human Rights Council",
        country="UN",
        kind=PositionKind.COLLECTIVE,
        delivery=Delivery.EMAIL,
        email="hrc.members@example.org",
        address_lines="",
        locality="",
        postal_code="",
    )
    make_organization(name="Asia Rights Monitor", short_name="ARM")


def test_drafter_writes_to_the_hrc_member_states_and_the_letter_is_finalised_and_printed(
    page, live_server, log_in, drafter, coordinator, council
):
    page.set_default_timeout(10_000)
    log_in(drafter)
    page.get_by_role("link", name="New letter").click()
    page.get_by_label("Reference").fill("HRC-2024-03")
    # Typed with its prefix: the letter must not print "Re: Re:".
    page.get_by_label("Subject").fill("Re: Renew the mandate on North Korea")
    page.get_by_label("Date").fill("2024-03-01")
    page.get_by_label("Lead organisation").select_option(label="Asia Rights Monitor")
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_role("heading", name=re.compile("^Edit"))).to_be_visible()

    page.get_by_label("Find an office").fill("human rights council")
    page.get_by_role("button", name="Search").click()
    results = page.locator("#position-results")
    expect(results.get_by_text("A body of several members")).to_be_visible()
    title = "Member and Observer States of the UN Human Rights Council, Human Rights Council"
    page.get_by_role("button", name=f"Add as To for {title}").click()
    recipients = page.get_by_role("region", name="Recipients")
    expect(recipients.get_by_text("Its copy greets: Excellencies,")).to_be_visible()
    assert_accessible(page)

    # A section with no heading, whose closing paragraph follows its recommendation.
    page.get_by_label("Body").fill("The commission of inquiry found crimes against humanity.")
    page.get_by_label("Paragraph after the recommendations").fill(
        "We stand ready to brief delegations."
    )
    page.get_by_role("button", name="Add section").click()
    untitled = page.get_by_role("region", name="1. (no heading)")
    expect(untitled.get_by_text("We stand ready to brief delegations.")).to_be_visible()
    untitled.get_by_role("link", name="Add a recommendation to “(no heading)”").click()
    untitled.get_by_label("Text").fill("Renew the mandate of the Special Rapporteur.")
    expect(untitled.get_by_label("Addressed to the government of")).to_have_value("UN")
    untitled.get_by_role("button", name="Add recommendation").click()
    expect(untitled.get_by_text("Renew the mandate of the Special Rapporteur.")).to_be_visible()

    page.get_by_label("Opening").fill("We write ahead of the Council's session.")
    page.get_by_label("Closing").fill("Please accept the assurances of our highest consideration.")
    page.get_by_role("button", name="Save letter").click()
    expect(page.get_by_text(re.compile(r"Saved HRC-2024-03"))).to_be_visible()
    assert_accessible(page)
    shot(page, "hrc_editor")

    page.get_by_role("link", name="Preview").click()
    letter_text = page.get_by_role("article", name="Letter preview")
    expect(letter_text.locator(".letter-subject")).to_have_text(
        "Re: Renew the mandate on North Korea"
    )
    expect(letter_text.locator(".letter-salutation")).to_have_text("Excellencies,")
    expect(letter_text.locator(".letter-address")).not_to_contain_text("UNITED NATIONS")
    expect(letter_text.get_by_role("heading", level=2)).to_have_count(0)
    assert_accessible(page)
    shot(page, "hrc_preview")

    # The coordinator approves for the lead organisation, finalises and prints.
    page.context.clear_cookies()
    log_in(coordinator)
    letter = Letter.objects.get(reference="HRC-2024-03")
    page.goto(f"{live_server.url}{letter.get_absolute_url()}")
    page.get_by_label("Signer's name").fill("Aiko Morita")
    page.get_by_role("button", name=re.compile("Approve current text for")).click()
    page.get_by_role("link", name="Finalise").click()
    page.get_by_role("button", name="Finalise now").click()
    expect(page.get_by_text("The letter is final")).to_be_visible()
    letter.refresh_from_db()
    assert letter.status == LetterStatus.FINAL
    assert_accessible(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF", exact=True).click()
    data = Path(info.value.path()).read_bytes()
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / "drafting_hrc_letter.pdf").write_bytes(data)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)
    assert "Member and Observer States of the UN Human Rights Council" in text
    assert "Excellencies," in text
    assert "Re: Renew the mandate on North Korea" in text and "Re: Re:" not in text
    assert "We stand ready to brief delegations." in text
    assert "Aiko Morita" in text


@pytest.fixture
def ministers(db):
    """The two Japanese ministries, as an admin keeps them: an English greeting pattern too."""
    for title, institution, street, postal_code, (given, family, native) in [
        ("法務大臣", "法務省", "霞が関1-1-1", "100-8977", ("Keiko", "Chiba", "千葉 景子")),
        ("外務大臣", "外務省", "霞が関2-2-1", "100-8919", ("Katsuya", "Okada", "岡田 克也")),
    ]:
        position = make_position(
            title=title,
            institution=institution,
            address_lines=street,
            locality="千代田区",
            region="東京都",
            postal_code=postal_code,
            country="JP",
            salutation_pattern="Dear Minister {family_name},",
        )
        official = make_official(
            given_name=given, family_name=family, name_order="family_first", native_name=native
        )
        make_term(position, official)
    for name, email in [
        ("特定非営利活動法人 難民支援ネットワーク東京", "tokyo@example.org"),
        ("一般社団法人 人権フォーラム関西", "kansai@example.org"),
        ("移住者と共に歩む会", "ayumu@example.org"),
    ]:
        make_organization(name=name, short_name="", email=email)


def test_drafter_writes_to_two_japanese_ministers_in_japanese_and_each_copy_prints_so(
    page, browser, live_server, log_in, drafter, coordinator, ministers
):
    page.set_default_timeout(10_000)
    log_in(drafter)
    page.get_by_role("link", name="New letter").click()
    page.get_by_label("Reference").fill("JP-2009-JA")
    page.get_by_label("Subject").fill("難民認定制度と入国管理施設における収容に関する要望")
    page.get_by_label("Date").fill("2009-12-10")
    page.get_by_label("Language").select_option(label="Japanese")
    page.get_by_label("Lead organisation").select_option(
        label="特定非営利活動法人 難民支援ネットワーク東京"
    )
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_role("heading", name=re.compile("^Edit"))).to_be_visible()

    for query, title in [("法務", "法務大臣, 法務省"), ("外務", "外務大臣, 外務省")]:
        find_and_add(page, query, "To", title)
    recipients = page.get_by_role("region", name="Recipients")
    # Not "Dear Minister Chiba,": a Japanese letter opens with 拝啓, on both copies.
    expect(recipients.get_by_text("Its copy greets: 拝啓")).to_have_count(2)
    expect(recipients.get_by_text("Now held by 千葉景子殿")).to_be_visible()

    signers = page.get_by_role("region", name="Signing organisations")
    for name, signer, title in [
        ("一般社団法人 人権フォーラム関西", "佐藤 健一", "事務局長"),
        ("移住者と共に歩む会", "高橋 由美", "共同代表"),
    ]:
        signers.get_by_label("Organisation").select_option(label=name)
        signers.get_by_label("Signer's name").fill(signer)
        signers.get_by_label("Signer's title").fill(title)
        signers.get_by_role("button", name="Add organisation").click()
        expect(signers.get_by_text(f"Signed by {signer}, {title}")).to_be_visible()

    page.get_by_label("Heading").fill("難民認定制度について")
    page.get_by_label("Body").fill(
        "難民認定申請者は、審査の結果が出るまで長い期間を待たなければなりません。"
    )
    page.get_by_label("Lead in").fill("日本政府に対し、次のことを求めます。")
    page.get_by_role("button", name="Add section").click()
    add_recommendation(
        page, "難民認定制度について", "難民認定手続に独立した不服審査機関を設けること。"
    )
    add_recommendation(page, "難民認定制度について", "子どもの収容を直ちにやめること。")
    page.get_by_label("Opening").fill("時下ますますご清祥のこととお慶び申し上げます。")
    page.get_by_label("Closing").fill(
        "上記の要望について、真摯にご検討くださいますよう、お願い申し上げます。"
    )
    page.get_by_role("button", name="Save letter").click()
    expect(page.get_by_text(re.compile(r"Saved JP-2009-JA"))).to_be_visible()
    assert_accessible(page)
    shot(page, "japanese_editor")

    page.get_by_role("link", name="Preview").click()
    letter_text = page.get_by_role("article", name="Letter preview")
    expect(letter_text.locator(".letter-address")).to_contain_text("〒100-8977")
    expect(letter_text.locator(".letter-address strong")).to_have_text("法務大臣 千葉景子殿")
    expect(letter_text.locator(".letter-opening")).to_have_text(
        "拝啓\u3000時下ますますご清祥のこととお慶び申し上げます。"
    )
    expect(letter_text.locator(".letter-closing-word")).to_have_text("敬具")
    expect(letter_text.locator(".letter-salutation")).to_have_count(0)
    assert_accessible(page)
    shot(page, "japanese_preview")

    # The coordinator circulates; the two partners approve through their links.
    page.context.clear_cookies()
    log_in(coordinator)
    letter = Letter.objects.get(reference="JP-2009-JA")
    page.goto(f"{live_server.url}{letter.get_absolute_url()}")
    page.get_by_role("link", name="Circulate for sign-on").click()
    page.get_by_role("button", name="Circulate").click()
    expect(page.get_by_text("The letter is circulating for sign-on.")).to_be_visible()
    links = [f.input_value() for f in page.locator("input.signing-link").all()]
    assert len(links) == 2
    partner = browser.new_context().new_page()
    for link in links:
        partner.goto(link)
        partner.get_by_label("We agree that our organisation's name is published").check()
        partner.get_by_role("button", name="Approve this text").click()
        expect(
            partner.get_by_text("Thank you: your organisation approved this text.")
        ).to_be_visible()
    partner.context.close()

    page.reload()
    board = page.get_by_role("region", name="Sign-on")
    board.get_by_label("Signer's name").fill("森田 愛子")
    board.get_by_label("Signer's title").fill("代表理事")
    page.get_by_role("button", name=re.compile("Approve current text for")).click()
    page.get_by_role("link", name="Finalise").click()
    page.get_by_role("button", name="Finalise now").click()
    expect(page.get_by_text("The letter is final")).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="All copies in one PDF", exact=True).click()
    data = Path(info.value.path()).read_bytes()
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / "drafting_japanese_letter.pdf").write_bytes(data)
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages]
    copies = {
        "法務大臣 千葉景子殿": ["〒100-8977", "東京都千代田区霞が関1-1-1", "法務省"],
        "外務大臣 岡田克也殿": ["〒100-8919", "東京都千代田区霞が関2-2-1", "外務省"],
    }
    for addressee, address in copies.items():
        copy = " ".join(p for p in pages if f"{addressee.split()[0]} 宛" in p)
        positions = [copy.index(part) for part in [*address, addressee]]
        assert positions == sorted(positions)
        assert "2009年12月10日" in copy
        assert "件名：難民認定制度と入国管理施設における収容に関する要望" in copy
        assert "拝啓 時下ますますご清祥" in copy and "敬具" in copy
        assert "特定非営利活動法人 難民支援ネットワーク東京 代表理事 森田 愛子" in copy
        assert "一般社団法人 人権フォーラム関西 事務局長 佐藤 健一" in copy
        assert "Dear" not in copy and "Chiba" not in copy and "Page" not in copy


def test_a_letter_signed_by_hundreds_shows_a_page_of_signatories_and_keeps_focus(
    page, live_server, log_in, drafter
):
    from letters.models import Organization, Signatory
    from tests.factories import make_draft

    letter = make_draft(reference="JP-MANY")
    orgs = Organization.objects.bulk_create(
        Organization(name=f"Coalition member {i:03d}", country="JP") for i in range(1, 400)
    )
    Signatory.objects.bulk_create(
        Signatory(letter=letter, organization=org, order=i) for i, org in enumerate(orgs, 1)
    )
    log_in(drafter)
    page.goto(f"{live_server.url}/letters/{letter.pk}/edit/#signatories")
    page.evaluate("window.samePage = true")
    block = page.locator("#signatories")
    expect(block.get_by_text("1–25 of 400 signing organisations")).to_be_visible()
    expect(block.locator("li.signatory")).to_have_count(25)
    block.get_by_role("link", name="Next page").click()
    expect(block.get_by_text("26–50 of 400 signing organisations")).to_be_visible()
    expect(block.get_by_role("link", name="Next page")).to_be_focused()
    block.screenshot(path="/tmp/i13-editor-signatories-page2.png")
    # Moving the first of page 2 up follows it to page 1, focus on its button.
    block.get_by_role("button", name="Move “Coalition member 025” up").click()
    expect(page.locator(".drafting-notice")).to_have_text("Moved Coalition member 025.")
    expect(block.get_by_text("1–25 of 400 signing organisations")).to_be_visible()
    expect(block.get_by_role("button", name="Move “Coalition member 025” up")).to_be_focused()
    search = block.get_by_label("Find a signing organisation (name, short name, group or signer)")
    search.fill("member 31")
    search.press("Enter")
    expect(block.get_by_text("10 of 400 signing organisations match “member 31”")).to_be_visible()
    expect(
        block.get_by_label("Find a signing organisation (name, short name, group or signer)")
    ).to_be_focused()
    assert page.evaluate("window.samePage === true")
    page.screenshot(path="/tmp/i13-editor-signatories.png", full_page=False)
    block.screenshot(path="/tmp/i13-editor-signatories-block.png")
    assert_accessible(page)
    moved = Signatory.objects.get(letter=letter, organization__name="Coalition member 025")
    assert list(letter.signatories.order_by("order", "pk")).index(moved) == 24
