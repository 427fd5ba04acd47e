"""
The whole sign-on story in a real browser: the coordinator circulates a draft of
the demo letter, three representatives approve in their own browser contexts,
the drafter changes a recommendation, each representative sees what changed and
approves again, the coordinator finalises, sends and publishes, and the public
page shows the letter.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from letters.models import Letter, LetterStatus, SentCopy
from tests.e2e.conftest import assert_accessible
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"signing_{name}.png", full_page=True)


def drafter_edits_a_recommendation(browser, live_server, drafter, letter: Letter) -> None:
    """The drafter, in a browser of their own, changes a recommendation in the editor."""
    rec = letter.recommendations.order_by("number")[1]
    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(drafter.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}{reverse('letters:drafting_edit', args=[letter.pk])}")
    assert_accessible(page)
    page.get_by_role("link", name=f"Edit {rec.reference}").click()
    form = page.locator(f"#rec-{rec.pk}")
    text = form.get_by_role("textbox", name="Text")
    text.fill(rec.text.rstrip(".") + ", and report on it to the Diet every year.")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"Saved {rec.reference}.")).to_be_visible()
    assert_accessible(page)
    page.context.close()


# One story from start to end: each step starts where the last one left off, so it
# stays one test (a browser session per step would only repeat the steps before it).
def test_sign_on_from_circulation_to_the_public_page(
    page, browser, live_server, log_in, demo, coordinator, drafter
):
    log_in(coordinator)

    # A fresh draft of the demo letter, through "Supersede with a new draft".
    page.goto(f"{live_server.url}{demo.get_absolute_url()}")
    page.get_by_text("More", exact=True).click()
    page.get_by_role("link", name="Supersede with a new draft").click()
    assert_accessible(page)
    page.get_by_label("Reference of the new draft").fill("JP-2009-12-B")
    page.get_by_role("button", name="Create the draft").click()
    expect(page.get_by_text("New draft JP-2009-12-B copied")).to_be_visible()
    letter = Letter.objects.get(reference="JP-2009-12-B")

    # Circulate.
    page.get_by_role("link", name="Circulate for sign-on").click()
    assert_accessible(page)
    page.get_by_label("Message to the organisations").fill(
        "Dear colleagues, please read the final draft and approve it by Friday."
    )
    shot(page, "circulate")
    page.get_by_role("button", name="Circulate").click()
    expect(page.get_by_text("The letter is circulating for sign-on.")).to_be_visible()
    expect(page.get_by_text("copy their link from the sign-on board")).to_be_visible()
    assert_accessible(page)

    board = page.get_by_role("region", name="Sign-on")
    links = {}
    for row in board.locator(".signing-row").all():
        name = row.locator("strong").first.inner_text()
        field = row.locator("input.signing-link")
        if field.count():
            links[name] = field.input_value()
    assert len(links) == 3
    shot(page, "board_invited")

    reps = {name: (f"Rep of {name}", "Director") for name in links}
    reps["Refugee Support Network Japan"] = ("Kenji Ishida", "Secretary-General")
    contexts = {}
    for org in links:
        # Each representative in a browser of their own; one on a phone.
        phone = org == "Refugee Support Network Japan"
        options = {"viewport": {"width": 390, "height": 844}} if phone else {}
        context = browser.new_context(**options)
        contexts[org] = context.new_page()

    def approve(org: str, *, again: bool) -> None:
        rep = contexts[org]
        rep.goto(links[org])
        expect(rep.get_by_role("heading", name=letter.subject)).to_be_visible()
        if again:
            expect(rep.get_by_text("The letter changed since you approved it")).to_be_visible()
            changes = rep.get_by_role("region", name="What changed since your approval")
            expect(changes.locator("ins")).to_contain_text(["report on it to the Diet"])
        assert_accessible(rep)
        if not again:
            name, title = reps[org]
            rep.get_by_label("Your name").fill(name)
            rep.get_by_label("Your title").fill(title)
            rep.get_by_label("We agree that our organisation's name is published").check()
        shot(rep, f"rep_{'again' if again else 'first'}_{org.split()[0].lower()}")
        rep.get_by_role("button", name="Approve this text").click()
        expect(rep.get_by_text("Thank you: your organisation approved this text.")).to_be_visible()
        assert_accessible(rep)

    for org in links:
        approve(org, again=False)
    page.reload()
    expect(board.locator('.signing-state[data-state="approved"]')).to_have_count(3)

    drafter_edits_a_recommendation(browser, live_server, drafter, letter)
    page.reload()
    expect(board.locator('.signing-state[data-state="approved_older"]')).to_have_count(3)
    assert_accessible(page)
    shot(page, "board_stale")

    for org in links:
        approve(org, again=True)
    for rep in contexts.values():
        rep.context.close()

    # The lead organisation approves in the app, then the coordinator finalises.
    page.reload()
    # A copied draft asks who signs afresh: the earlier letter's names are not carried.
    expect(board.get_by_label("Signer's name")).to_have_value("")
    board.get_by_label("Signer's name").fill("Aiko Morita")
    board.get_by_label("Signer's title").fill("Tokyo Director")
    page.get_by_role("button", name=re.compile(r"Approve current text for")).click()
    expect(board.locator('.signing-state[data-state="approved"]')).to_have_count(4)
    assert_accessible(page)
    shot(page, "board_all_approved")
    page.get_by_role("link", name="Finalise").click()
    assert_accessible(page)
    shot(page, "finalise")
    page.get_by_role("button", name="Finalise now").click()
    expect(page.get_by_text("The letter is final")).to_be_visible()
    assert_accessible(page)

    # Send: one row per recipient, the date defaults to today.
    page.get_by_role("link", name="Record sending").click()
    assert_accessible(page)
    for select in page.get_by_role("combobox").all():
        select.select_option("post")
    shot(page, "send")
    page.get_by_role("button", name="Record sending and archive the PDFs").click()
    expect(page.get_by_text("Sending recorded")).to_be_visible()
    copies = SentCopy.objects.filter(letter=letter)
    assert copies.count() == 4
    # A short checksum; the whole one on demand, to check a file against.
    first = copies.first()
    page.locator("summary", has_text=f"Checksum {first.sha256[:6]}").click()
    expect(page.get_by_text(first.sha256)).to_be_visible()
    assert_accessible(page)
    shot(page, "sent")

    # The press release, started from the letter.
    page.get_by_text("More", exact=True).click()
    page.get_by_role("button", name="Start a press release from the letter").click()
    expect(page.get_by_text("A press release drafted from the letter")).to_be_visible()
    expect(page.get_by_label("Body")).to_contain_text("Asia Rights Monitor, Refugee Support")
    assert_accessible(page)
    page.get_by_label("Headline").fill("Four groups urge Japan to put North Koreans' rights first")
    page.get_by_label("Dateline").fill("TOKYO")
    quote = page.locator("fieldset.press-quote").first
    quote.get_by_label("Text").fill("Japan can show what a values-based policy means.")
    quote.get_by_label("Speaker name").fill("Aiko Morita")
    page.get_by_label("Show on the public page once the letter is published").check()
    shot(page, "press_release")
    page.get_by_role("button", name="Save press release").click()
    expect(page.get_by_text("Press release saved.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Back to the letter").click()

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("The letter is published.")).to_be_visible()
    letter.refresh_from_db()
    assert letter.status == LetterStatus.PUBLISHED

    # The public page, for someone with no account.
    public = browser.new_context().new_page()
    public.goto(f"{live_server.url}/published/")
    assert_accessible(public)
    public.get_by_role("link", name=letter.subject).click()
    expect(public.get_by_role("heading", name=letter.subject, level=1)).to_be_visible()
    expect(public.get_by_role("heading", name="Four groups urge Japan")).to_be_visible()
    expect(public.get_by_text("report on it to the Diet every year").first).to_be_visible()
    expect(public.get_by_text("Kenji Ishida").first).to_be_visible()
    expect(public.get_by_role("region", name="The letter as sent (PDF)")).to_be_visible()
    expect(public.get_by_text("Japan can show what a values-based policy means.")).to_be_visible()
    assert_accessible(public)
    shot(public, "public")
    public.context.close()


def test_a_dead_link_shows_a_plain_page(page, live_server):
    page.goto(f"{live_server.url}/sign/not-a-real-token/")
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    assert_accessible(page)


def test_a_representative_without_javascript_corrects_declines_and_changes_their_mind(
    browser, live_server
):
    import datetime as dt

    from django.utils import timezone

    from letters import signing
    from tests.factories import make_signing_letter

    letter = make_signing_letter(subject="Protect people who flee")
    signing.circulate(letter=letter, by=None, deadline=timezone.now() + dt.timedelta(days=2))
    signatory = letter.signatories.filter(role="cosigner").first()
    # Our scripts (htmx, Bootstrap, ours) are blocked so every step is a plain
    # form post; axe still runs, injected by the test itself.
    rep = browser.new_context().new_page()
    rep.route("**/*.js", lambda route: route.abort())
    rep.goto(f"{live_server.url}{reverse('public:sign', args=[signatory.token])}")
    # The token is traded for the session: the address bar no longer shows it.
    expect(rep).to_have_url(f"{live_server.url}{reverse('public:sign_page', args=[signatory.pk])}")
    assert_accessible(rep)

    # Nothing filled in: the form says what is missing and keeps what was typed.
    rep.get_by_label("Your title").fill("Coordinator")
    rep.get_by_role("button", name="Approve this text").click()
    expect(rep.get_by_text("This field is required.").first).to_be_visible()
    expect(rep.get_by_label("Your title")).to_have_value("Coordinator")
    assert_accessible(rep)
    shot(rep, "rep_error")

    rep.get_by_label("Why is your organisation not signing?").fill("Outside our mandate")
    rep.get_by_role("button", name="Decline to sign").click()
    expect(rep.get_by_text("Your organisation declined on")).to_be_visible()
    assert_accessible(rep)

    rep.get_by_label("Your name").fill("Mina Kim")
    rep.get_by_label("Your title").fill("Coordinator")
    rep.get_by_role("button", name="Approve this text").click()
    expect(rep.get_by_text("Thank you: your organisation approved this text.")).to_be_visible()
    rep.get_by_role("button", name="Withdraw our approval").click()
    expect(rep.get_by_text("withdrew its approval")).to_be_visible()
    assert_accessible(rep)
    signatory.refresh_from_db()
    assert signatory.withdrawn_at is not None and signatory.signer_name == "Mina Kim"
    rep.context.close()
