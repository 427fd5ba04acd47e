"""
Who may open every page of the site, by GET and by POST. The table below
(URLS) says who may; the test walks the whole URLconf (letters, published
pages, sign-on, the address book, login and logout), so a new page without a
row fails. Six personas: a visitor who is not logged in, a logged-in account
with no role, the three roles, and a partner whose browser holds another
letter's sign-on link (it opened that link) but no account.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from PIL import Image

from letters import signing
from letters.models import (
    CallSignature,
    FollowUp,
    ImportSession,
    Letter,
    LetterRecipient,
    Organization,
    PressRelease,
    PrintBatch,
    Recommendation,
    Section,
    SentCopy,
    Signatory,
)
from recipients.models import MailingList, Official, Position, Term
from tests.factories import (
    make_draft,
    make_follow_up,
    make_import_session,
    make_letter,
    make_official,
    make_organization,
    make_position,
    make_recipient,
    make_signatory,
    make_signing_letter,
    make_term,
    make_tracked_recommendation,
)

pytestmark = pytest.mark.django_db

ROLES = ["drafter", "coordinator", "admin_user"]
PERSONAS = [*ROLES, "outsider", "anonymous", "partner"]
READERS = set(ROLES)
WRITERS = {"drafter", "coordinator"}
COORDINATORS = {"coordinator"}
ADMINS = {"admin_user"}
LOGGED_IN = {*ROLES, "outsider"}
PUBLIC = set(PERSONAS)
# Without an account: every page but the public ones sends them to log in.
NO_ACCOUNT = {"anonymous", "partner"}

# Not walked: Django's admin (its own permission system, tested in
# test_admin.py). Static files are not in the URLconf (whitenoise, or
# runserver's handler, serves them) and neither is MEDIA_ROOT, on purpose.
SKIPPED_NAMESPACES = {"admin"}


def any_method(who):
    return {"GET": who, "POST": who}


def get_only(who):
    return {"GET": who, "POST": None}


def post_only(who):
    return {"GET": None, "POST": who}


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 10), "navy").save(out, format="PNG")
    return out.getvalue()


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


def invited(letter: Letter) -> str:
    """A live sign-on link of the letter's first co-signer."""
    link = letter.signatories.get(role="cosigner", order=1)
    link.invited_at = timezone.now()
    link.token_expires_at = timezone.now() + dt.timedelta(days=7)
    link.save()
    return link.token


@pytest.fixture
def world(db, drafter):
    """One object of each kind a URL can point at."""
    # Sign-on links are rate limited in the cache; each test starts afresh.
    cache.clear()
    draft = make_draft()
    cosigner = make_signatory(draft, role="cosigner", order=1)
    lead = draft.signatories.get(role="lead")
    lead.signature.save("sig.png", ContentFile(png()), save=True)
    lead.organization.logo.save("logo.png", ContentFile(png()), save=True)
    sent = make_letter(status="sent")
    rec = make_tracked_recommendation(sent, response="noted")
    entry = make_follow_up(rec, evidence_file=ContentFile(b"%PDF-1.4 reply", name="reply.pdf"))
    published = make_letter(status="published", published_at=timezone.now())
    make_signatory(published, lead.organization, role="lead", consent_to_publish=True)
    position = make_position(title="Commandant")
    term = make_term(position)
    return {
        "draft": draft,
        "section": draft.sections.first(),
        "rec": draft.recommendations.first(),
        "recipient": draft.recipients.first(),
        "lead": lead,
        "cosigner": cosigner,
        "organization": lead.organization,
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
        "token": invited(make_signing_letter(status="circulating")),
        # The partner persona's own link, to a letter none of the URLs are about.
        "partner_token": invited(make_signing_letter(status="circulating")),
        "position": position,
        "term": term,
        "official": make_official(),
        "unused_organization": make_organization(),
        "mailing_list": MailingList.objects.create(name="EU institutions"),
        "call": open_call(),
        "import": make_import_session(owner=drafter),
        "imported": make_import_session(owner=drafter, letter=sent),
    }


def open_call() -> tuple[Letter, str]:
    """A circulating letter with an open call, and one offer's confirmation token."""
    letter = make_signing_letter(status="circulating")
    call, _ = signing.open_call(
        letter=letter,
        by=None,
        deadline=timezone.now() + dt.timedelta(days=7),
        intro="",
        max_unconfirmed=10,
    )
    offer = CallSignature(
        organization_name="Open Org",
        country="Kenya",
        contact_name="C",
        contact_email="c@example.org",
    )
    return letter, signing.submit(call=call, signature=offer)


def pk(name):
    return lambda w: [w[name].pk]


def on_draft(name):
    return lambda w: [w["draft"].pk, w[name].pk]


def none(w):
    return []


# (URL name, its arguments from the world, who may GET and who may POST;
# None: the method is not allowed at all). Follow-up entries answer 404 to
# an outsider, every other page 403.
URLS = [
    ("dashboard", none, any_method(READERS)),
    ("login", none, any_method(PUBLIC)),
    ("health", none, get_only(PUBLIC)),
    ("logout", none, post_only(LOGGED_IN)),
    # password reset by e-mail: anyone, logged in or not (a bad link says so)
    ("password_reset", none, any_method(PUBLIC)),
    ("password_reset_done", none, get_only(PUBLIC)),
    ("password_reset_confirm", lambda w: ["MQ", "set-password"], any_method(PUBLIC)),
    ("password_reset_complete", none, get_only(PUBLIC)),
    ("letters:list", none, any_method(READERS)),
    ("letters:detail", pk("draft"), any_method(READERS)),
    ("letters:organisation_logo", pk("organization"), get_only(READERS)),
    # drafting
    ("letters:drafting_create", none, any_method(WRITERS)),
    ("letters:drafting_markdown_preview", none, post_only(WRITERS)),
    ("letters:drafting_edit", pk("draft"), any_method(WRITERS)),
    ("letters:drafting_preview", pk("draft"), get_only(READERS)),
    # the preview's print stylesheet holds no letter: any signed-in account
    ("letters:printing_preview_css", none, get_only(LOGGED_IN)),
    ("letters:drafting_duplicate", pk("draft"), any_method(WRITERS)),
    ("letters:drafting_translate", pk("draft"), any_method(WRITERS)),
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
    ("letters:drafting_signatory_add_many", pk("draft"), any_method(WRITERS)),
    ("letters:drafting_signatory_sort", pk("draft"), post_only(WRITERS)),
    ("letters:drafting_signatory_edit", on_draft("cosigner"), any_method(WRITERS)),
    ("letters:drafting_signatory_move", on_draft("cosigner"), post_only(WRITERS)),
    ("letters:drafting_signatory_remove", on_draft("cosigner"), post_only(WRITERS)),
    # signing
    ("letters:signing_circulate", pk("draft"), any_method(COORDINATORS)),
    ("letters:signing_remind", pk("draft"), post_only(COORDINATORS)),
    ("letters:signing_approve_translation_for_lead", pk("draft"), post_only(COORDINATORS)),
    ("letters:signing_reissue_link", on_draft("cosigner"), post_only(COORDINATORS)),
    ("letters:signing_revoke_link", on_draft("cosigner"), post_only(COORDINATORS)),
    ("letters:signing_approve_for_lead", on_draft("lead"), post_only(COORDINATORS)),
    ("letters:signing_signature", on_draft("lead"), get_only(READERS)),
    ("letters:signing_call_open", pk("draft"), any_method(COORDINATORS)),
    ("letters:signing_call_close", lambda w: [w["call"][0].pk], post_only(COORDINATORS)),
    ("letters:signing_call_queue", lambda w: [w["call"][0].pk], any_method(COORDINATORS)),
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
    ("letters:tracking", none, any_method(READERS)),
    ("letters:tracking_charts", none, any_method(READERS)),
    ("letters:tracking_export", lambda w: ["csv"], any_method(READERS)),
    ("letters:tracking_import", none, any_method(WRITERS)),
    ("letters:tracking_record", none, any_method(WRITERS)),
    ("letters:tracking_follow_up_letter_filtered", none, post_only(WRITERS)),
    ("letters:tracking_recommendation", pk("sent_rec"), {"GET": READERS, "POST": WRITERS}),
    ("letters:tracking_follow", pk("sent_rec"), post_only(READERS)),
    ("letters:tracking_correct", pk("entry"), any_method(WRITERS)),
    ("letters:tracking_evidence", pk("entry"), any_method(READERS)),
    ("letters:tracking_follow_up_letter", pk("sent"), post_only(WRITERS)),
    # importing: an import in progress is its owner's (the drafter's)
    ("letters:importing_start", none, any_method(WRITERS)),
    ("letters:importing_review", pk("import"), any_method(WRITERS)),
    ("letters:importing_block_edit", lambda w: [w["import"].pk, 1], any_method(WRITERS)),
    ("letters:importing_block", lambda w: [w["import"].pk, 1, "up"], post_only(WRITERS)),
    ("letters:importing_discard", pk("import"), post_only(WRITERS)),
    ("letters:importing_source", pk("sent"), any_method(READERS)),
    # the organisations directory: every role reads it and adds to it, Admins merge
    ("letters:organisations_list", none, any_method(READERS)),
    ("letters:organisations_create", none, any_method(READERS)),
    ("letters:organisations_import", none, any_method(READERS)),
    ("letters:organisations_edit", pk("unused_organization"), any_method(READERS)),
    ("letters:organisations_merge", pk("unused_organization"), any_method(ADMINS)),
    # the address book: every role reads it, Admins change it
    ("recipients:list", none, any_method(READERS)),
    ("recipients:export", none, any_method(READERS)),
    ("recipients:import", none, any_method(ADMINS)),
    ("recipients:position_add", none, any_method(ADMINS)),
    ("recipients:position_preview", none, post_only(ADMINS)),
    ("recipients:position", pk("position"), any_method(READERS)),
    ("recipients:position_edit", pk("position"), any_method(ADMINS)),
    ("recipients:position_preview", pk("position"), post_only(ADMINS)),
    ("recipients:position_verify", pk("position"), post_only(ADMINS)),
    ("recipients:position_merge", pk("position"), post_only(ADMINS)),
    ("recipients:change_holder", pk("position"), any_method(ADMINS)),
    ("recipients:position_archive", pk("position"), post_only(ADMINS)),
    ("recipients:position_delete", pk("position"), post_only(ADMINS)),
    ("recipients:term_edit", pk("term"), any_method(ADMINS)),
    ("recipients:officials", none, any_method(READERS)),
    ("recipients:official_add", none, any_method(ADMINS)),
    ("recipients:official_preview", none, post_only(ADMINS)),
    ("recipients:official", pk("official"), any_method(READERS)),
    ("recipients:official_edit", pk("official"), any_method(ADMINS)),
    ("recipients:official_preview", pk("official"), post_only(ADMINS)),
    ("recipients:official_archive", pk("official"), post_only(ADMINS)),
    ("recipients:official_delete", pk("official"), post_only(ADMINS)),
    ("recipients:mailing_lists", none, any_method(READERS)),
    ("recipients:mailing_list_add", none, any_method(ADMINS)),
    ("recipients:mailing_list", pk("mailing_list"), any_method(READERS)),
    ("recipients:mailing_list_edit", pk("mailing_list"), any_method(ADMINS)),
    # public pages
    ("public:sign", lambda w: [w["token"]], any_method(PUBLIC)),
    # Without the session the link set, the page only asks to open the link again.
    (
        "public:sign_page",
        lambda w: [Signatory.objects.get(token=w["token"]).pk],
        any_method(PUBLIC),
    ),
    ("public:signing_call", lambda w: [w["call"][0].sign_on_call.pk], any_method(PUBLIC)),
    (
        "public:signing_call_count",
        lambda w: [w["call"][0].sign_on_call.pk],
        get_only(PUBLIC),
    ),
    ("public:signing_call_confirm", lambda w: [w["call"][1]], any_method(PUBLIC)),
    # Without the session the link set, the page only asks to open the link again.
    (
        "public:signing_call_confirmation",
        lambda w: [CallSignature.objects.get(contact_email="c@example.org").pk],
        any_method(PUBLIC),
    ),
    ("public:index", none, any_method(PUBLIC)),
    ("public:feed", none, any_method(PUBLIC)),
    ("public:detail", lambda w: [w["published"].reference], any_method(PUBLIC)),
    (
        "public:logo",
        lambda w: [w["published"].reference, w["organization"].pk],
        get_only(PUBLIC),
    ),
    (
        "public:copy",
        lambda w: [w["published"].reference, w["published_copy"].pk],
        any_method(PUBLIC),
    ),
]
# Enough for a move to be a move; every other view ignores it.
POST_DATA = {"direction": "down"}
HIDDEN_FROM_OUTSIDERS = {"letters:tracking_correct", "letters:tracking_evidence"}
# Someone else's import in progress does not exist for a colleague.
OWNED_BY_DRAFTER = {
    "letters:importing_review",
    "letters:importing_block_edit",
    "letters:importing_block",
    "letters:importing_discard",
}
# Stored files: whoever may have one gets its bytes, nothing else.
FILES = {
    "letters:organisation_logo",
    "letters:signing_signature",
    "letters:sending_sent_copy",
    "letters:printing_batch_download",
    "letters:tracking_evidence",
    "public:logo",
    "public:copy",
}


def routes(patterns=None, prefix: str = "") -> set[str]:
    """Every route of the URLconf, as `ResolverMatch.route` spells it, but the skipped ones."""
    found: set[str] = set()
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            found |= routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            found.add(prefix + str(entry.pattern))
    return found


def snapshot() -> tuple:
    """Everything a request could change, to prove that a refused one changed nothing."""
    letters = Letter.objects.order_by("pk").values_list("pk", "status", "version", "content_hash")
    signatories = Signatory.objects.order_by("pk").values_list(
        "pk", "token", "token_revoked_at", "approved_at", "invited_at"
    )
    models = (Section, Recommendation, LetterRecipient, FollowUp, PressRelease, PrintBatch)
    counts = [
        model.objects.count() for model in (*models, Organization, Official, Term, MailingList)
    ]
    positions = list(
        Position.objects.order_by("pk").values_list("pk", "archived_at", "last_verified")
    )
    followers = Recommendation.followers.through.objects.count()
    imports = list(ImportSession.objects.order_by("pk").values_list("pk", "proposal"))
    return list(letters), list(signatories), counts, positions, followers, imports


def test_the_table_has_every_url_of_the_site(world):
    covered = {resolve(reverse(name, args=args(world))).route for name, args, _ in URLS}
    assert covered == routes()
    assert len(URLS) == len(covered)  # one row per route


def become(client, request, world, persona: str) -> None:
    """Log the client in as `persona`, or open the partner's own sign-on link."""
    client.logout()
    if persona in LOGGED_IN:
        client.force_login(request.getfixturevalue(persona))
    elif persona == "partner":
        url = reverse("public:sign", args=[world["partner_token"]])
        assert client.get(url, follow=True).status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_open_each_page(client, request, world, persona):
    become(client, request, world, persona)
    cookies = copy.deepcopy(client.cookies)
    wrong = []
    for name, args, access in URLS:
        url = reverse(name, args=args(world))
        for method in ("GET", "POST"):
            # Each request meets the world, and the session, as the fixture made them.
            with transaction.atomic():
                client.cookies = copy.deepcopy(cookies)
                wrong += check(client, url, name, persona, method, access)
                transaction.set_rollback(True)
    assert wrong == []


def check(client, url: str, name: str, persona: str, method: str, access) -> list[str]:
    """What is wrong with the answer to one request (nothing: an empty list)."""
    who = access[method]
    public = PUBLIC in access.values()
    before = snapshot()
    response = getattr(client, method.lower())(url, POST_DATA if method == "POST" else None)
    status = response.status_code
    where = f"{method} {name} as {persona}: {status}"
    if persona in NO_ACCOUNT and not public:
        if status != 302 or not response["Location"].startswith("/login/"):
            return [f"{where}, expected a redirect to log in"]
    elif who is None:
        if status != 405:
            return [f"{where}, expected 405"]
    elif persona in who and not owned_by_another(name, persona):
        if name in FILES and method == "GET":
            if status != 200 or not response.streaming:
                return [f"{where}, expected the file"]
        elif status not in (200, 302, 400):
            return [f"{where}, expected 200, 302 or 400"]
    else:
        expected = refusal(name, persona, who)
        if status != expected:
            return [f"{where}, expected {expected}"]
        if snapshot() != before:
            return [f"{where}, and it changed something"]
    return []


def owned_by_another(name: str, persona: str) -> bool:
    """An import in progress is its owner's (the drafter's) alone."""
    return name in OWNED_BY_DRAFTER and persona != "drafter"


def refusal(name: str, persona: str, who) -> int:
    """What a refused request answers: 404 where the object's existence is not told."""
    if persona in who and owned_by_another(name, persona):
        return 404
    return 404 if persona == "outsider" and name in HIDDEN_FROM_OUTSIDERS else 403


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
