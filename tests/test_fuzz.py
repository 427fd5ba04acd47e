"""
Hostile input at every form: for each page that takes input, post (or, for
searches and filters, get) what the page's own fields would send, with some
values replaced by generated hostile ones (empty, huge, NUL bytes, bytes that
are not UTF-8, lone surrogates, huge integers, impossible dates) and some
fields left out (management forms included), as the persona that uses the
page. No answer may be a 500: the test client raises the view's exception.

Each target runs a bounded number of examples, each rolled back.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from letters import sending, signing
from letters.models import Letter, LetterStatus, SignatoryRole
from recipients.models import Official, Position, Term
from tests.factories import (
    make_draft,
    make_follow_up,
    make_letter,
    make_signatory,
    make_signing_letter,
    make_tracked_recommendation,
)
from tests.letters.test_sending import final_letter

pytestmark = pytest.mark.django_db(transaction=False)

# A deeper search: FUZZ_EXAMPLES=50 .venv/bin/python -m pytest tests/test_fuzz.py
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))

# Tried at every target on top of the generated examples: every field given
# one of these at once (random search alone would hit them by luck).
EVERY_FIELD = [
    b"a\x00b",
    "\ud800".encode("utf-8", "surrogatepass") + b"\xff",
    str(10**20).encode(),
    b"2026-02-30",
    b"x" * 30_000,
]

HOSTILE = st.one_of(
    st.sampled_from(
        [
            b"",
            b" ",
            b"x" * 30_000,
            b"\x00",
            b"a\x00b",
            "\ud800".encode("utf-8", "surrogatepass"),  # a lone surrogate
            b"\xff\xfe\xfd",  # not UTF-8
            b"\xc3",
            str(10**20).encode(),
            str(2**63).encode(),
            b"-1",
            b"0",
            b"1e400",
            b"NaN",
            b"2026-02-30",
            b"0000-00-00",
            b"9999-12-31",
            b"10000-01-01",
            b"2026-13-45T25:61",
            b"<script>alert(1)</script>",
            b"{office.x} {0} %s",
            b"../../etc/passwd",
            b"on",
        ]
    ),
    st.binary(max_size=30),
    st.text(max_size=30).map(lambda s: s.encode("utf-8", "surrogatepass")),
)

# Names the views read straight from the request, besides their forms' fields.
EXTRA_NAMES = [
    "page",
    "q",
    "version",
    "next",
    "follow",
    "direction",
    "action",
    "kind",
    "format",
    "field",
    "rec",
    "token",
    "payload",
    "recommendations",
]


class FieldReader(HTMLParser):
    """The names and values a browser would send from every form on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self.files: set[str] = set()
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            kind = a.get("type", "text")
            if kind == "file":
                self.files.add(name)
            elif kind not in ("checkbox", "radio", "submit") or "checked" in a:
                self.fields.setdefault(name, []).append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.setdefault(name, []).append("")
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, [])
        elif (
            tag == "option" and self._select and ("selected" in a or not self.fields[self._select])
        ):
            values = self.fields[self._select]
            values[:] = [a.get("value", "")] if "selected" in a or not values else values

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


@dataclass
class Target:
    name: str
    persona: str
    url: str
    method: str = "post"
    page: str | None = None  # where the form is shown, if not at `url`


def targets(world: dict) -> list[Target]:
    draft: Letter = world["draft"]
    section = draft.sections.first()
    rec = draft.recommendations.first()
    recipient = draft.recipients.first()
    signatory = draft.signatories.first()
    circulating: Letter = world["circulating"]
    cosigner = circulating.signatories.filter(role=SignatoryRole.COSIGNER).first()
    lead = circulating.signatories.get(role=SignatoryRole.LEAD)
    final: Letter = world["final"]
    sent: Letter = world["sent"]
    sent_rec = sent.recommendations.first()
    release = world["release"]
    follow_up = world["follow_up"]
    position: Position = world["position"]
    official: Official = world["official"]
    term: Term = world["term"]

    def url(name: str, *args) -> str:
        return reverse(name, args=args)

    edit = url("letters:drafting_edit", draft.pk)
    return [
        # drafting
        Target("letter list", "drafter", url("letters:list"), "get"),
        Target("new letter", "drafter", url("letters:drafting_create")),
        Target("editor", "drafter", edit),
        Target("markdown preview", "drafter", url("letters:drafting_markdown_preview"), page=edit),
        Target("duplicate", "drafter", url("letters:drafting_duplicate", draft.pk), page=edit),
        Target("translate", "drafter", url("letters:drafting_translate", draft.pk)),
        Target("add section", "drafter", url("letters:drafting_section_add", draft.pk)),
        Target(
            "edit section", "drafter", url("letters:drafting_section_edit", draft.pk, section.pk)
        ),
        Target(
            "move section", "drafter", url("letters:drafting_section_move", draft.pk, section.pk)
        ),
        Target(
            "add recommendation",
            "drafter",
            url("letters:drafting_recommendation_add", draft.pk, section.pk),
        ),
        Target(
            "edit recommendation",
            "drafter",
            url("letters:drafting_recommendation_edit", draft.pk, rec.pk),
        ),
        Target(
            "move recommendation",
            "drafter",
            url("letters:drafting_recommendation_move", draft.pk, rec.pk),
        ),
        Target(
            "recipient search", "drafter", url("letters:drafting_recipient_search", draft.pk), "get"
        ),
        Target(
            "add recipient", "drafter", url("letters:drafting_recipient_add", draft.pk), page=edit
        ),
        Target(
            "move recipient",
            "drafter",
            url("letters:drafting_recipient_move", draft.pk, recipient.pk),
        ),
        Target(
            "add signatory", "drafter", url("letters:drafting_signatory_add", draft.pk), page=edit
        ),
        Target(
            "edit signatory",
            "drafter",
            url("letters:drafting_signatory_edit", draft.pk, signatory.pk),
        ),
        Target(
            "move signatory",
            "drafter",
            url("letters:drafting_signatory_move", draft.pk, signatory.pk),
        ),
        # signing
        Target(
            "circulate", "coordinator", url("letters:signing_circulate", world["to_circulate"].pk)
        ),
        Target("remind", "coordinator", url("letters:signing_remind", circulating.pk)),
        Target(
            "approve for lead",
            "coordinator",
            url("letters:signing_approve_for_lead", circulating.pk, lead.pk),
            page=url("letters:detail", circulating.pk),
        ),
        Target("sign-on page", "anonymous", url("public:sign", cosigner.token)),
        # sending
        Target(
            "finalise",
            "coordinator",
            url("letters:sending_finalise", circulating.pk),
            page=url("letters:detail", circulating.pk),
        ),
        Target(
            "withdraw",
            "coordinator",
            url("letters:sending_withdraw", circulating.pk),
            page=url("letters:detail", circulating.pk),
        ),
        Target("publish", "coordinator", url("letters:sending_publish", sent.pk)),
        Target("unpublish", "coordinator", url("letters:sending_unpublish", sent.pk)),
        Target("supersede", "coordinator", url("letters:sending_supersede", final.pk)),
        Target("send", "coordinator", url("letters:sending_send", final.pk)),
        Target(
            "new press release", "coordinator", url("letters:sending_press_release_new", sent.pk)
        ),
        Target(
            "press release",
            "coordinator",
            url("letters:sending_press_release", sent.pk, release.pk),
        ),
        # tracking
        Target("tracker", "coordinator", url("letters:tracking"), "get"),
        Target("tracker charts", "coordinator", url("letters:tracking_charts"), "get"),
        Target("tracker export", "coordinator", url("letters:tracking_export", "csv"), "get"),
        Target("tracker record (get)", "coordinator", url("letters:tracking_record"), "get"),
        Target(
            "tracker record",
            "coordinator",
            url("letters:tracking_record"),
            page=url("letters:tracking_record") + f"?rec={sent_rec.pk}",
        ),
        Target("tracker import", "coordinator", url("letters:tracking_import")),
        Target(
            "recommendation", "coordinator", url("letters:tracking_recommendation", sent_rec.pk)
        ),
        Target(
            "follow",
            "coordinator",
            url("letters:tracking_follow", sent_rec.pk),
            page=url("letters:tracking_recommendation", sent_rec.pk),
        ),
        Target("correct follow-up", "coordinator", url("letters:tracking_correct", follow_up.pk)),
        Target(
            "follow-up letter",
            "coordinator",
            url("letters:tracking_follow_up_letter", sent.pk),
            page=url("letters:tracking_recommendation", sent_rec.pk),
        ),
        # address book
        Target("directory", "admin", url("recipients:list"), "get"),
        Target("officials", "admin", url("recipients:officials"), "get"),
        Target("add position", "admin", url("recipients:position_add")),
        Target("edit position", "admin", url("recipients:position_edit", position.pk)),
        Target(
            "position preview",
            "admin",
            url("recipients:position_preview", position.pk),
            page=url("recipients:position_edit", position.pk),
        ),
        Target("change holder", "admin", url("recipients:change_holder", position.pk)),
        Target("edit term", "admin", url("recipients:term_edit", term.pk)),
        Target("add official", "admin", url("recipients:official_add")),
        Target("edit official", "admin", url("recipients:official_edit", official.pk)),
        Target("directory import", "admin", url("recipients:import")),
    ]


@pytest.fixture
def world(db) -> dict:
    draft = make_draft(reference="FUZZ-DRAFT")
    to_circulate = make_signing_letter(reference="FUZZ-SIGN")
    circulating = make_signing_letter(reference="FUZZ-CIRC")
    signing.circulate(letter=circulating, by=None, deadline=timezone.now() + dt.timedelta(days=3))
    final = final_letter(reference="FUZZ-FINAL")
    sent = make_letter(reference="FUZZ-SENT", status=LetterStatus.SENT)
    make_tracked_recommendation(sent, response="noted")
    make_signatory(sent, role="lead")
    release = sending.start_press_release(letter=sent, by=None)
    follow_up = make_follow_up(sent.recommendations.first(), note="Raised in a meeting.")
    term = Term.objects.select_related("position", "official").first()
    return {
        "draft": draft,
        "to_circulate": to_circulate,
        "circulating": Letter.objects.get(pk=circulating.pk),
        "final": final,
        "sent": sent,
        "release": release,
        "follow_up": follow_up,
        "position": term.position,
        "official": term.official,
        "term": term,
    }


@pytest.fixture
def clients(drafter, coordinator, admin_user) -> dict[str, Client]:
    made = {"anonymous": Client()}
    for persona, user in [
        ("drafter", drafter),
        ("coordinator", coordinator),
        ("admin", admin_user),
    ]:
        made[persona] = Client()
        made[persona].force_login(user)
    return made


def read_fields(client: Client, page: str) -> tuple[dict[str, list[str]], set[str]]:
    response = client.get(page, follow=True, HTTP_HX_REQUEST="true")
    reader = FieldReader()
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        reader.feed(response.content.decode())
    return reader.fields, reader.files


def fuzz(client: Client, target: Target) -> Callable[[], None]:
    with transaction.atomic():
        fields, files = read_fields(client, target.page or target.url)
        transaction.set_rollback(True)
    names = sorted(set(fields) | set(EXTRA_NAMES))

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        # A few fields made hostile, or every field given the same hostile value.
        replaced=st.one_of(
            st.dictionaries(st.sampled_from(names), HOSTILE, max_size=4),
            HOSTILE.map(lambda value: dict.fromkeys(names, value)),
        ),
        dropped=st.sets(st.sampled_from(names), max_size=3),
        upload=HOSTILE,
        htmx=st.booleans(),
    )
    def run(replaced, dropped, upload, htmx) -> None:
        data: dict[str, object] = {k: [v.encode() for v in vs] for k, vs in fields.items()}
        # Lists: the test client would take bare bytes for a list of numbers.
        data.update({name: [value] for name, value in replaced.items()})
        for name in dropped:
            data.pop(name, None)
        if target.method == "post":
            for name in files:
                data[name] = SimpleUploadedFile("upload.csv", upload, "text/csv")
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        cache.clear()  # rate limits would otherwise answer 429 after a few examples
        with transaction.atomic():
            response = getattr(client, target.method)(target.url, data, **headers)
            transaction.set_rollback(True)
        shown = {name: repr(value)[:60] for name, value in data.items()}
        assert response.status_code < 500, (target.name, shown, response.status_code)

    for value in EVERY_FIELD:
        run = example(
            replaced=dict.fromkeys(names, value), dropped=set(), upload=value, htmx=False
        )(run)
    # Nothing at all: no management form, no field.
    return example(replaced={}, dropped=set(names), upload=b"", htmx=True)(run)


def test_no_form_answers_500_to_hostile_input(world, clients):
    for target in targets(world):
        fuzz(clients[target.persona], target)()
