"""
Who may open every page of the letters app and the public pages, by GET and
by POST: the owner roles, a colleague with another role, an outsider with no
role, and a visitor who is not logged in. The table below says who may; the
test walks every URL pattern, so a new page without a row fails.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import resolve, reverse
from django.utils import timezone

from letters import urls, urls_public
from letters.models import (
    FollowUp,
    Letter,
    LetterRecipient,
    PressRelease,
    PrintBatch,
    Recommendation,
    Section,
    SentCopy,
    Signatory,
)
from tests.factories import (
    make_draft,
    make_follow_up,
    make_letter,
    make_recipient,
    make_signatory,
    make_signing_letter,
    make_tracked_recommendation,
)

pytestmark = pytest.mark.django_db

PERSONAS = ["drafter", "coordinator", "admin_user", "outsider", "anonymous"]
READERS = {"drafter", "coordinator", "admin_user"}
WRITERS = {"drafter", "coordinator"}
COORDINATORS = {"coordinator"}
PUBLIC = set(PERSONAS)


def any_method(who):
    return {"GET": who, "POST": who}


def get_only(who):
    return {"GET": who, "POST": None}


def post_only(who):
    return {"GET": None, "POST": who}


def copy_of(letter: Letter, recipient: LetterRecipient) -> SentCopy:
    return SentCopy.objects.create(
        letter=letter,
        recipient=recipient,
        file=ContentFile(b"%PDF-1.4 sent", name="copy.pdf"),
        filename="copy.pdf",
        sha256="0" * 64,
        size=13,
        content_hash=letter.content_hash,
    )


@pytest.fixture
def world(db):
    """One object of each kind a URL can point at."""
    draft = make_draft()
    cosigner = make_signatory(draft, role="cosigner", order=1)
    sent = make_letter(status="sent")
    rec = make_tracked_recommendation(sent, response="noted")
    entry = make_follow_up(rec, evidence_file=ContentFile(b"%PDF-1.4 reply", name="reply.pdf"))
    published = make_letter(status="published", published_at=timezone.now())
    circulating = make_signing_letter(status="circulating")
    link = circulating.signatories.get(role="cosigner", order=1)
    link.invited_at = timezone.now()
    link.token_expires_at = timezone.now() + dt.timedelta(days=7)
    link.save()
    return {
        "draft": draft,
        "section": draft.sections.first(),
        "rec": draft.recommendations.first(),
        "recipient": draft.recipients.first(),
        "lead": draft.signatories.get(role="lead"),
        "cosigner": cosigner,
        "sent": sent,
        "sent_rec": rec,
        "entry": entry,
        "copy": copy_of(sent, make_recipient(sent)),
        "release": PressRelease.objects.create(letter=sent, headline="Joint letter", body="Text"),
        "batch": PrintBatch.objects.create(
            letter=sent,
            status="done",
            total=1,
            done=1,
            file=ContentFile(b"PK\x05\x06" + b"\0" * 18, name="copies.zip"),
        ),
        "published": published,
        "published_copy": copy_of(published, make_recipient(published)),
        "token": link.token,
    }


def pk(name):
    return lambda w: [w[name].pk]


def on_draft(name):
    return lambda w: [w["draft"].pk, w[name].pk]


# (URL name, its arguments from the world, who may GET and who may POST;
# None: the method is not allowed at all). Follow-up entries answer 404 to
# an outsider, every other page 403.
URLS = [
    ("letters:list", lambda w: [], any_method(READERS)),
    ("letters:detail", pk("draft"), any_method(READERS)),
    # drafting
    ("letters:drafting_create", lambda w: [], any_method(WRITERS)),
    ("letters:drafting_markdown_preview", lambda w: [], post_only(WRITERS)),
    ("letters:drafting_edit", pk("draft"), any_method(WRITERS)),
    ("letters:drafting_preview", pk("draft"), get_only(READERS)),
    ("letters:drafting_duplicate", pk("draft"), any_method(WRITERS)),
    ("letters:drafting_block", lambda w: [w["draft"].pk, "sections"], get_only(WRITERS)),
    ("letters:drafting_section_add", pk("draft"), post_only(WRITERS)),
    ("letters:drafting_section_edit", on_draft("section"), any_method(WRITERS)),
    ("letters:drafting_section_move", on_draft("section"), post_only(WRITERS)),
    ("letters:drafting_section_delete", on_draft("section"), post_only(WRITERS)),
    ("letters:drafting_recommendation_add", on_draft("section"), any_method(WRITERS)),
    ("letters:drafting_recommendation_edit", on_draft("rec"), any_method(WRITERS)),
    ("letters:drafting_recommendation_move", on_draft("rec"), post_only(WRITERS)),
    ("letters:drafting_recommendation_delete", on_draft("rec"), post_only(WRITERS)),
    ("letters:drafting_recipient_search", pk("draft"), get_only(WRITERS)),
    ("letters:drafting_recipient_add", pk("draft"), post_only(WRITERS)),
    ("letters:drafting_recipient_add_list", pk("draft"), post_only(WRITERS)),
    ("letters:drafting_recipient_move", on_draft("recipient"), post_only(WRITERS)),
    ("letters:drafting_recipient_remove", on_draft("recipient"), post_only(WRITERS)),
    ("letters:drafting_signatory_add", pk("draft"), post_only(WRITERS)),
    ("letters:drafting_signatory_edit", on_draft("cosigner"), any_method(WRITERS)),
    ("letters:drafting_signatory_move", on_draft("cosigner"), post_only(WRITERS)),
    ("letters:drafting_signatory_remove", on_draft("cosigner"), post_only(WRITERS)),
    # signing
    ("letters:signing_circulate", pk("draft"), any_method(COORDINATORS)),
    ("letters:signing_remind", pk("draft"), post_only(COORDINATORS)),
    ("letters:signing_reissue_link", on_draft("cosigner"), post_only(COORDINATORS)),
    ("letters:signing_revoke_link", on_draft("cosigner"), post_only(COORDINATORS)),
    ("letters:signing_approve_for_lead", on_draft("lead"), post_only(COORDINATORS)),
    # sending
    ("letters:sending_finalise", pk("draft"), any_method(COORDINATORS)),
    ("letters:sending_withdraw", pk("draft"), any_method(COORDINATORS)),
    ("letters:sending_supersede", pk("sent"), any_method(WRITERS)),
    ("letters:sending_send", pk("sent"), any_method(COORDINATORS)),
    ("letters:sending_sent_copy", lambda w: [w["sent"].pk, w["copy"].pk], any_method(READERS)),
    ("letters:sending_publish", pk("sent"), post_only(COORDINATORS)),
    ("letters:sending_unpublish", pk("published"), post_only(COORDINATORS)),
    ("letters:sending_press_release_new", pk("sent"), any_method(COORDINATORS)),
    ("letters:sending_press_release_from_letter", pk("sent"), post_only(COORDINATORS)),
    (
        "letters:sending_press_release",
        lambda w: [w["sent"].pk, w["release"].pk],
        any_method(COORDINATORS),
    ),
    # printing
    ("letters:printing_pdf", pk("draft"), get_only(READERS)),
    ("letters:printing_pdf_all", pk("draft"), get_only(READERS)),
    ("letters:printing_pdf_copy", on_draft("recipient"), get_only(READERS)),
    ("letters:printing_labels", pk("draft"), get_only(READERS)),
    ("letters:printing_batch_start", pk("sent"), post_only(COORDINATORS)),
    ("letters:printing_batch_status", lambda w: [w["sent"].pk, w["batch"].pk], get_only(READERS)),
    (
        "letters:printing_batch_download",
        lambda w: [w["sent"].pk, w["batch"].pk],
        get_only(READERS),
    ),
    # tracking
    ("letters:tracking", lambda w: [], any_method(READERS)),
    ("letters:tracking_charts", lambda w: [], any_method(READERS)),
    ("letters:tracking_export", lambda w: ["csv"], any_method(READERS)),
    ("letters:tracking_import", lambda w: [], any_method(WRITERS)),
    ("letters:tracking_record", lambda w: [], any_method(WRITERS)),
    ("letters:tracking_follow_up_letter_filtered", lambda w: [], post_only(WRITERS)),
    ("letters:tracking_recommendation", pk("sent_rec"), {"GET": READERS, "POST": WRITERS}),
    ("letters:tracking_follow", pk("sent_rec"), post_only(READERS)),
    ("letters:tracking_correct", pk("entry"), any_method(WRITERS)),
    ("letters:tracking_evidence", pk("entry"), any_method(READERS)),
    ("letters:tracking_follow_up_letter", pk("sent"), post_only(WRITERS)),
    # public pages
    ("public:sign", lambda w: [w["token"]], any_method(PUBLIC)),
    ("public:index", lambda w: [], any_method(PUBLIC)),
    ("public:feed", lambda w: [], any_method(PUBLIC)),
    ("public:detail", lambda w: [w["published"].reference], any_method(PUBLIC)),
    (
        "public:copy",
        lambda w: [w["published"].reference, w["published_copy"].pk],
        any_method(PUBLIC),
    ),
]
# Enough for a move to be a move; every other view ignores it.
POST_DATA = {"direction": "down"}
HIDDEN_FROM_OUTSIDERS = {"letters:tracking_correct", "letters:tracking_evidence"}


def snapshot() -> tuple:
    """Everything a request could change, to prove that a refused one changed nothing."""
    letters = Letter.objects.order_by("pk").values_list("pk", "status", "version", "content_hash")
    signatories = Signatory.objects.order_by("pk").values_list(
        "pk", "token", "token_revoked_at", "approved_at", "invited_at"
    )
    counts = [
        model.objects.count()
        for model in (Section, Recommendation, LetterRecipient, FollowUp, PressRelease, PrintBatch)
    ]
    followers = Recommendation.followers.through.objects.count()
    return list(letters), list(signatories), counts, followers


def test_the_table_has_every_url_of_the_letters_app_and_the_public_pages():
    names = {f"letters:{p.name}" for p in urls.urlpatterns}
    names |= {f"public:{p.name}" for p in urls_public.urlpatterns}
    assert {name for name, _, _ in URLS} == names


@pytest.mark.parametrize(("name", "args", "access"), URLS, ids=[row[0] for row in URLS])
def test_who_may_open_each_page(client, request, world, name, args, access):
    url = reverse(name, args=args(world))
    users = {persona: request.getfixturevalue(persona) for persona in PERSONAS[:-1]}
    for persona in PERSONAS:
        # Each persona meets the world as the fixture made it.
        with transaction.atomic():
            client.logout()
            if persona in users:
                client.force_login(users[persona])
            for method in ("GET", "POST"):
                check(client, url, name, persona, method, access[method])
            transaction.set_rollback(True)


def check(client, url: str, name: str, persona: str, method: str, who) -> None:
    before = snapshot()
    response = getattr(client, method.lower())(url, POST_DATA if method == "POST" else None)
    status = response.status_code
    where = f"{method} {name} as {persona}"
    if persona == "anonymous" and who is not PUBLIC:
        assert status == 302, where
        assert response["Location"].startswith("/login/"), where
    elif who is None:
        assert status == 405, where
    elif persona in who:
        assert status in (200, 302, 400), where
    else:
        hidden = persona == "outsider" and name in HIDDEN_FROM_OUTSIDERS
        assert status == (404 if hidden else 403), where
        assert snapshot() == before, where


def refused(response) -> str:
    assert response.status_code == 403
    return response.content.decode()


def test_the_admin_role_is_refused_every_coordinator_and_drafter_action(client, admin_user, world):
    client.force_login(admin_user)
    before = snapshot()
    actions = 0
    for name, args, access in URLS:
        for method, who in access.items():
            if who is None or "admin_user" in who:
                continue
            actions += 1
            url = reverse(name, args=args(world))
            page = refused(getattr(client, method.lower())(url, POST_DATA))
            # It says who may, and that the Admin role reads.
            assert "Only " in page and "your role can read letters" in page, (name, method)
    assert actions > 50
    assert snapshot() == before


def test_the_admin_role_reads_every_letter_and_edits_the_address_book(client, admin_user, world):
    client.force_login(admin_user)
    for name, args, access in URLS:
        if access["GET"] is not None and "admin_user" in access["GET"]:
            assert client.get(reverse(name, args=args(world))).status_code in (200, 302), name
    recipient = world["recipient"]
    response = client.post(
        reverse("recipients:position_verify", args=[recipient.position.pk]), {"next": "/"}
    )
    assert response.status_code == 302
    recipient.position.refresh_from_db()
    assert recipient.position.last_verified == timezone.localdate()


def test_an_outsider_is_told_to_ask_for_a_role_whether_the_letter_exists_or_not(
    client, outsider, world
):
    client.force_login(outsider)
    real = client.get(reverse("letters:detail", args=[world["draft"].pk]))
    missing = client.get(reverse("letters:detail", args=[999999]))
    assert real.status_code == missing.status_code == 403

    def page(response) -> str:
        # The same page but for its CSRF token, which is masked anew each time.
        return re.sub(r'(X-CSRFToken": "|value=")[\w-]{64}', "", response.content.decode())

    assert page(real) == page(missing)
    assert "You need a role to see letters" in page(real)


def test_a_letter_that_does_not_exist_is_404_before_any_permission_check(client, drafter):
    # A drafter may not publish; for a letter that is not there they learn only that.
    client.force_login(drafter)
    assert client.post(reverse("letters:sending_publish", args=[999999])).status_code == 404
    assert client.get(reverse("letters:tracking_recommendation", args=[999999])).status_code == 404
    assert client.get(reverse("letters:tracking_correct", args=[999999])).status_code == 404


class Targets(HTMLParser):
    """Every (method, path) a page links to or posts to, htmx attributes included."""

    def __init__(self):
        super().__init__()
        self.found: set[tuple[str, str]] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.found.add(("GET", attrs["href"]))
        if tag == "form" and attrs.get("action"):
            self.found.add((attrs.get("method", "get").upper(), attrs["action"]))
        for method in ("get", "post"):
            if attrs.get(f"hx-{method}"):
                self.found.add((method.upper(), attrs[f"hx-{method}"]))


@pytest.mark.parametrize("persona", ["drafter", "coordinator", "admin_user"])
def test_pages_offer_only_what_the_role_may_do(client, request, world, persona):
    client.force_login(request.getfixturevalue(persona))
    access = {name: who for name, _, who in URLS}
    pages = [
        reverse("dashboard"),
        reverse("letters:list"),
        reverse("letters:tracking"),
        reverse("letters:tracking") + f"?letter={world['sent'].reference}",
        world["sent_rec"].get_absolute_url(),
        reverse("letters:drafting_preview", args=[world["draft"].pk]),
        *(world[letter].get_absolute_url() for letter in ("draft", "sent", "published")),
    ]
    offered = set()
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        parser = Targets()
        parser.feed(response.content.decode())
        for method, target in parser.found:
            path = urlsplit(target).path
            if not path.startswith("/"):
                continue
            match = resolve(path)
            if match.view_name in access:
                offered.add(match.view_name)
                assert persona in access[match.view_name][method], (page, method, target)
    # The pages do offer actions, so the check above checked something.
    assert "letters:printing_pdf" in offered
    if persona == "coordinator":
        assert {"letters:sending_finalise", "letters:sending_publish"} <= offered
    if persona == "drafter":
        assert {"letters:drafting_edit", "letters:drafting_duplicate"} <= offered
