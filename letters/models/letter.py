"""
A letter and its text: the organisations that write, the offices it goes to,
its sections and recommendations, and the status it moves through.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import connection, models, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, NullIf, Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import pgettext_lazy
from django_countries.fields import Country, CountryField
from simple_history.models import HistoricalRecords

from letters.models.tracking import (
    DERIVED_STATUS_FIELDS,
    FollowUp,
    ImplementationStatus,
    ResponseStatus,
    derive_status,
)
from letters.permissions import SEE_LETTERS
from letters.uploads import CheckedImageField, validate_image
from recipients.models import MailingList, Official, Position
from recipients.text_limits import MaxLengthConstraint

# Lengths of the text fields, in characters: the model, its forms (maxlength)
# and the database (a check constraint) all hold them.
MAX_ADDRESS = 1000
MAX_MARKDOWN = 20_000
MAX_SNAPSHOT_ADDRESS = 2000
MAX_RECOMMENDATION = 4000
MAX_ENCLOSURES = 2000


class OrganizationKind(models.TextChoices):
    INTERNATIONAL = "international", "International network"
    NATIONAL = "national", "National"
    LOCAL = "local", "Local"
    # A person signing in their own name: printed in a group of their own.
    INDIVIDUAL = "individual", "Individual"


class Organization(models.Model):
    """An NGO that can lead or sign a letter."""

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, blank=True)
    country = CountryField(blank=True)
    kind = models.CharField("type", max_length=20, choices=OrganizationKind.choices, blank=True)
    logo = CheckedImageField(upload_to="logos/", blank=True, validators=[validate_image])
    address = models.TextField(
        blank=True, max_length=MAX_ADDRESS, validators=[MaxLengthValidator(MAX_ADDRESS)]
    )
    website = models.URLField(blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(
        "contact e-mail", blank=True, help_text="Where sign-on invitations go"
    )
    consent_to_publish = models.BooleanField(
        "may be named publicly",
        default=False,
        help_text="The organisation agrees to be named on public pages and lists.",
    )
    paper_size = models.CharField(
        max_length=10,
        choices=[("a4", "A4"), ("letter", "US Letter")],
        default="a4",
        help_text="Default paper size for letters this organisation leads",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["country", "kind"], name="organization_country_kind")]
        constraints = [
            MaxLengthConstraint(
                field="address", limit=MAX_ADDRESS, name="organization_address_max_length"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return self.short_name or self.name

    def get_logo_url(self) -> str:
        """The logo for signed-in readers; published letters link `public:logo` instead."""
        return reverse("letters:organisation_logo", args=[self.pk])


class Theme(models.Model):
    """A tag on recommendations, for following one subject across letters."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LetterStatus(models.TextChoices):
    """
    Where a letter stands: draft -> circulating -> final -> sent -> published
    (unpublishing goes back to sent), or withdrawn. What each status allows is
    `Letter.ACTIONS`; the groups here name what several statuses have in common,
    as a property of one status (`LetterStatus.DRAFT.is_editable`) and as the
    list of all of them, for queries (`status__in=LetterStatus.editable()`).
    """

    DRAFT = "draft", "Draft"
    CIRCULATING = "circulating", "Circulating for sign-on"
    FINAL = "final", "Final"
    SENT = "sent", "Sent"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"

    @property
    def is_editable(self) -> bool:
        """Its text may still change: being written, or out for sign-on."""
        return self in (LetterStatus.DRAFT, LetterStatus.CIRCULATING)

    @property
    def is_signed(self) -> bool:
        """Frozen with its signatories' approvals: it prints their signatures."""
        return self in (LetterStatus.FINAL, LetterStatus.SENT, LetterStatus.PUBLISHED)

    @property
    def is_followed(self) -> bool:
        """It reached a government: what became of its recommendations is followed up."""
        return self in (LetterStatus.SENT, LetterStatus.PUBLISHED)

    @classmethod
    def editable(cls) -> tuple[LetterStatus, ...]:
        return tuple(status for status in cls if status.is_editable)

    @classmethod
    def signed(cls) -> tuple[LetterStatus, ...]:
        return tuple(status for status in cls if status.is_signed)

    @classmethod
    def followed(cls) -> tuple[LetterStatus, ...]:
        return tuple(status for status in cls if status.is_followed)


class StatusRefused(Exception):
    """An action the letter's status does not allow, with a message for the person who tried."""


@dataclass(frozen=True)
class LetterAction:
    """One row of `Letter.ACTIONS`."""

    # The statuses the action is allowed from.
    allowed_from: tuple[LetterStatus, ...]
    # What the person who tried from another status is told ({reference} and
    # {status} are filled in).
    refusal: str
    # The status the action moves the letter to, and the timestamp it sets;
    # None for an action that only needs the status.
    to: LetterStatus | None = None
    stamp: str = ""


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    # Only the date's order differs: "February 9, 2017" and "9 February 2017".
    ENGLISH_US = "en-us", "English (United States)"
    ENGLISH_GB = "en-gb", "English (United Kingdom)"
    JAPANESE = "ja", "Japanese"
    KOREAN = "ko", "Korean"
    CHINESE = "zh", "Chinese"
    FRENCH = "fr", "French"
    GERMAN = "de", "German"
    SPANISH = "es", "Spanish"


class PaperSize(models.TextChoices):
    A4 = "a4", "A4"
    LETTER = "letter", "US Letter"


class EnvelopeWindow(models.TextChoices):
    DL_LEFT = "dl_left", "DL/C5, window on the left (ISO)"
    DL_RIGHT = "dl_right", "DL/C5, window on the right"
    US10 = "us10", "US #10"
    NAGA3 = "naga3", "Japanese 長形3号"


class SubjectPrefix(models.TextChoices):
    RE = "Re:", "Re:"
    SUBJECT = "Subject:", "Subject:"
    NONE = "", "No prefix"


PRINTED_PREFIX: dict[str, Any] = {
    SubjectPrefix.RE: pgettext_lazy("subject prefix", "Re:"),
    SubjectPrefix.SUBJECT: pgettext_lazy("subject prefix", "Subject:"),
}


class GreetingMode(models.TextChoices):
    EACH = "each", "Each copy greets its own addressee"
    COMBINED = "combined", "One greeting naming every addressee"


class GreetingPunctuation(models.TextChoices):
    COMMA = ",", "Comma (Dear Minister,)"
    COLON = ":", "Colon (Dear Minister:)"


class RecommendationStyle(models.TextChoices):
    NUMBERED = "numbered", "Numbered"
    BULLETED = "bulleted", "Bulleted"


class SignatoryLayout(models.TextChoices):
    BLOCKS = "blocks", "Signature blocks"
    LIST = "list", "A numbered list, in columns"


class SignatoryGrouping(models.TextChoices):
    ALPHABETICAL = "alphabetical", "Alphabetically"
    COUNTRY = "country", "By country"
    TYPE = "type", "By type of organisation"


class LetterheadStyle(models.TextChoices):
    JOINT = "joint", "Joint: a band of logos"
    LEAD = "lead", "The lead organisation's only"
    PLAIN = "plain", "Plain paper (no letterhead)"


# References go into URLs (the public page, the feed) and file names: letters and
# digits, with "-", "_" and "." between them, never a "/" or a leading dot.
REFERENCE_VALIDATOR = RegexValidator(
    r"^[^\W_][\w.-]*\Z",
    "Use letters, digits, “-”, “_” and “.” only, starting with a letter or digit "
    "(e.g. JP-2009-12).",
)


class LetterQuerySet(models.QuerySet):
    def visible_to(self, user) -> LetterQuerySet:
        """Whoever may see letters (a role gives it) sees every letter; anyone else none."""
        if user.has_perm(SEE_LETTERS):
            return self
        return self.none()

    def published(self) -> LetterQuerySet:
        return self.filter(status=LetterStatus.PUBLISHED)

    def with_recommendation_count(self) -> LetterQuerySet:
        """
        `num_recommendations` as a subquery, run only for the rows fetched: a
        join and GROUP BY would count every recommendation of every letter.
        """
        recs = Recommendation.objects.filter(letter=OuterRef("pk")).order_by().values("letter")
        count = Subquery(recs.annotate(n=Count("pk")).values("n"))
        return self.annotate(num_recommendations=Coalesce(count, 0))


# A translation circulates with its original: its signatories' links are the
# original's, and they approve each language's text there.
TRANSLATION_SIGN_ON = ("circulate", "sign", "issue_link", "remind")


class Letter(models.Model):
    reference = models.CharField(
        max_length=40,
        unique=True,
        validators=[REFERENCE_VALIDATOR],
        help_text="A short code, e.g. JP-2009-12",
    )
    subject = models.CharField(
        max_length=300, blank=True, help_text="Leave empty for no subject line"
    )
    subject_prefix = models.CharField(
        max_length=10, choices=SubjectPrefix.choices, default=SubjectPrefix.RE, blank=True
    )
    greeting = models.CharField(
        max_length=200,
        blank=True,
        help_text="Overrides the greeting from the address book, e.g. “Excellencies,”",
    )
    greeting_mode = models.CharField(
        "greeting with several addressees",
        max_length=10,
        choices=GreetingMode.choices,
        default=GreetingMode.EACH,
    )
    greeting_punctuation = models.CharField(
        max_length=1, choices=GreetingPunctuation.choices, default=GreetingPunctuation.COMMA
    )
    date = models.DateField(null=True, blank=True, help_text="The date printed on the letter")
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)
    lead_organization = models.ForeignKey(
        Organization, models.PROTECT, null=True, blank=True, related_name="led_letters"
    )
    opening = models.TextField(
        blank=True,
        help_text="Markdown",
        max_length=MAX_MARKDOWN,
        validators=[MaxLengthValidator(MAX_MARKDOWN)],
    )
    closing = models.TextField(
        blank=True,
        help_text="Markdown",
        max_length=MAX_MARKDOWN,
        validators=[MaxLengthValidator(MAX_MARKDOWN)],
    )
    enclosures = models.TextField(
        blank=True,
        help_text="What goes with the letter, one per line: printed after the signatures.",
        max_length=MAX_ENCLOSURES,
        validators=[MaxLengthValidator(MAX_ENCLOSURES)],
    )
    status = models.CharField(
        max_length=20, choices=LetterStatus.choices, default=LetterStatus.DRAFT
    )
    # Bumped on every save of the letter or its parts; forms carry the
    # version they were loaded with so a stale edit can be refused.
    version = models.PositiveIntegerField(default=1)
    content_hash = models.CharField(max_length=64, blank=True, editable=False)

    paper_size = models.CharField(max_length=10, choices=PaperSize.choices, default=PaperSize.A4)
    envelope_window = models.CharField(
        max_length=20, choices=EnvelopeWindow.choices, default=EnvelopeWindow.DL_LEFT
    )
    recommendation_style = models.CharField(
        max_length=10, choices=RecommendationStyle.choices, default=RecommendationStyle.NUMBERED
    )
    signatory_layout = models.CharField(
        "Signatories print as",
        max_length=10,
        choices=SignatoryLayout.choices,
        default=SignatoryLayout.BLOCKS,
        help_text="Blocks for a handful; a list for a coalition.",
    )
    signatory_grouping = models.CharField(
        "List grouped",
        max_length=15,
        choices=SignatoryGrouping.choices,
        default=SignatoryGrouping.ALPHABETICAL,
        help_text="Only for a list of signatories.",
    )
    letterhead = models.CharField(
        max_length=10, choices=LetterheadStyle.choices, default=LetterheadStyle.JOINT
    )

    repeats_letter = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="followed_by",
        help_text="The earlier letter this one follows up",
    )
    # A translation is a letter of its own (its own text, language, approvals and
    # PDF) that reads its recipients and signatories from the original: one
    # source of truth for who writes and to whom (see `original`).
    translation_of = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="translations",
        help_text="The original letter this one translates",
    )
    sign_on_deadline = models.DateTimeField(null=True, blank=True)
    finalized_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = LetterQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-created_at"]
        permissions = [
            ("circulate_letter", "Can circulate a letter for sign-on"),
            ("finalize_letter", "Can finalise a letter"),
            ("send_letter", "Can record a letter as sent"),
            ("publish_letter", "Can publish a letter"),
        ]
        indexes = [
            models.Index(fields=["status", "-date"], name="letter_status_date_idx"),
            # The tracker sorted by letter date walks letters in date order (and
            # backwards, PostgreSQL only: see migration tracker_sort_indexes).
            models.Index(fields=["date", "id"], name="letter_date_idx"),
            # A reference typed in any case (the tracker's letter filter, a new
            # letter's check): without it, a scan of every letter.
            models.Index(Upper("reference"), name="letter_reference_upper_idx"),
        ]
        constraints = [
            MaxLengthConstraint(
                field="opening", limit=MAX_MARKDOWN, name="letter_opening_max_length"
            ),
            MaxLengthConstraint(
                field="closing", limit=MAX_MARKDOWN, name="letter_closing_max_length"
            ),
            models.UniqueConstraint(
                fields=["translation_of", "language"],
                name="letter_unique_translation_language",
                violation_error_message="The letter already has a translation in this language.",
            ),
            MaxLengthConstraint(
                field="enclosures", limit=MAX_ENCLOSURES, name="letter_enclosures_max_length"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.subject}" if self.subject else self.reference

    def get_absolute_url(self) -> str:
        return reverse("letters:detail", args=[self.pk])

    @property
    def is_translation(self) -> bool:
        return self.translation_of_id is not None

    @property
    def original(self) -> Letter:
        """Whose recipients and signatories this letter prints: itself, or what it translates."""
        return self.translation_of or self

    def other_versions(self) -> list[Letter]:
        """
        The same letter in other languages: its original and the original's
        translations but this one, the original first, in one query (for
        "Also in: 日本語 · English").
        """
        root = self.translation_of_id or self.pk
        return list(
            Letter.objects.filter(models.Q(pk=root) | models.Q(translation_of_id=root))
            .exclude(pk=self.pk)
            .only("pk", "reference", "language", "translation_of_id", "status")
            .order_by(models.F("translation_of_id").asc(nulls_first=True), "language")
        )

    @property
    def enclosure_list(self) -> list[str]:
        return [line.strip() for line in self.enclosures.splitlines() if line.strip()]

    @property
    def subject_line(self) -> str:
        """The subject as it prints: with the chosen prefix, never twice; "" for none."""
        subject = self.subject.strip()
        prefix = self.subject_prefix
        if not subject or not prefix:
            return subject
        if subject.lower().startswith(prefix.lower()):
            subject = subject[len(prefix) :].strip()
        # In the language the letter prints in (letters/printing/ overrides it):
        # "Re:" is "件名：" in Japanese, whose full-width colon takes no space.
        printed = str(PRINTED_PREFIX.get(prefix, prefix))
        if subject.lower().startswith(printed.lower()):
            subject = subject[len(printed) :].strip()
        gap = "" if printed.endswith("：") else " "
        return f"{printed}{gap}{subject}" if subject else ""

    # Every action that depends on the letter's status, in one table: where it is
    # allowed from, and (for a step of the workflow) where it goes. The workflows
    # ask it through `refusal()` / `allows()` and take steps with `move()`;
    # templates read `letter.allowed.<action>`.
    ACTIONS: dict[str, LetterAction] = {
        # drafting
        "edit": LetterAction(
            LetterStatus.editable(),
            "{reference} is {status}: it can no longer be edited. "
            "Duplicate it to start a new draft.",
        ),
        # signing
        "circulate": LetterAction(
            LetterStatus.editable(),
            "A {status} letter cannot circulate for sign-on: only a draft can.",
            to=LetterStatus.CIRCULATING,
        ),
        # Private links work, and representatives approve or decline through them.
        "sign": LetterAction((LetterStatus.CIRCULATING,), "This link does not work."),
        "issue_link": LetterAction(
            (LetterStatus.CIRCULATING,), "Links can only be issued while the letter circulates."
        ),
        "remind": LetterAction(
            (LetterStatus.CIRCULATING,), "Reminders go out only while the letter circulates."
        ),
        "approve_for_lead": LetterAction(
            LetterStatus.editable(), "Approvals can only change before the letter is final."
        ),
        # sending
        "finalise": LetterAction(
            LetterStatus.editable(),
            "A {status} letter cannot be finalised.",
            to=LetterStatus.FINAL,
            stamp="finalized_at",
        ),
        "withdraw": LetterAction(
            (*LetterStatus.editable(), LetterStatus.FINAL),
            "A {status} letter cannot be withdrawn; supersede it with a new draft instead.",
            to=LetterStatus.WITHDRAWN,
            stamp="withdrawn_at",
        ),
        "supersede": LetterAction(
            tuple(status for status in LetterStatus if not status.is_editable),
            "A draft can still be edited; there is nothing to supersede.",
        ),
        "send": LetterAction(
            (LetterStatus.FINAL,),
            "Only a final letter that has not gone out can be sent.",
            to=LetterStatus.SENT,
            stamp="sent_at",
        ),
        "publish": LetterAction(
            (LetterStatus.SENT,),
            "Only a letter that has been sent can be published.",
            to=LetterStatus.PUBLISHED,
            stamp="published_at",
        ),
        "unpublish": LetterAction(
            (LetterStatus.PUBLISHED,), "The letter is not published.", to=LetterStatus.SENT
        ),
        # tracking
        "start_follow_up": LetterAction(
            LetterStatus.signed(),
            "A follow-up letter starts from a finalised letter; {reference} is {status}.",
        ),
    }

    def refusal(self, action: str) -> str:
        """Why the letter's status does not allow `action` ("" if it does)."""
        rule = self.ACTIONS[action]
        if self.status not in rule.allowed_from:
            return rule.refusal.format(
                reference=self.reference, status=self.get_status_display().lower()
            )
        if self.translation_of_id and action in TRANSLATION_SIGN_ON:
            return (
                "A translation circulates with its original: signatories approve its "
                "text through their links to the original."
            )
        return ""

    def allows(self, action: str) -> bool:
        return not self.refusal(action)

    @property
    def allowed(self) -> dict[str, bool]:
        """`{action: allowed}` for every action of the table, for templates."""
        return {action: self.allows(action) for action in self.ACTIONS}

    def move(self, action: str, *, by=None, **changes) -> None:
        """
        Take a step of the workflow: refuse it (`StatusRefused`) unless the status
        allows it; otherwise set the new status, its timestamp and any `changes`
        given, and save them, with `by` as the author in the history. Callers
        lock the row first.
        """
        rule = self.ACTIONS[action]
        if rule.to is None:
            raise ValueError(f"{action!r} does not change the status of a letter.")
        if refusal := self.refusal(action):
            raise StatusRefused(refusal)
        self.status = rule.to
        fields = ["status", "updated_at", *changes]
        if rule.stamp:
            setattr(self, rule.stamp, timezone.now())
            fields.append(rule.stamp)
        for name, value in changes.items():
            setattr(self, name, value)
        if by is not None:
            self._history_user = by
        try:
            self.save(update_fields=fields)
        finally:
            self.__dict__.pop("_history_user", None)

    @property
    def is_editable(self) -> bool:
        return LetterStatus(self.status).is_editable

    @property
    def is_signed(self) -> bool:
        return LetterStatus(self.status).is_signed

    @property
    def is_followed(self) -> bool:
        return LetterStatus(self.status).is_followed

    @transaction.atomic
    def touch(self) -> None:
        """
        Record that the letter or one of its parts changed: bump the version
        (so stale forms are refused) and store the new content hash (so
        approvals of the old text stop counting). Call it in the same
        transaction as the edit.
        """
        # Read the stored version under a row lock: another request may have
        # bumped it since this object was loaded. (No F() here: the history
        # record needs a concrete value.)
        current = (
            Letter.objects.select_for_update().values_list("version", flat=True).get(pk=self.pk)
        )
        self.version = current + 1
        self.content_hash = self.compute_content_hash()
        self.save(update_fields=["version", "content_hash", "updated_at"])

    def compute_content_hash(self) -> str:
        """SHA-256 of `letters.text.approvable_text()`: all that prints and a partner approves."""
        from letters.text import approvable_text, text_hash  # letters.text imports the models

        return text_hash(approvable_text(self))

    def to_recipients(self):
        return [r for r in self.original.recipients.all() if r.role == RecipientRole.TO]

    def cc_recipients(self):
        return [r for r in self.original.recipients.all() if r.role == RecipientRole.CC]


class RecipientRole(models.TextChoices):
    TO = "to", "To"
    CC = "cc", "Cc"


class LetterRecipient(models.Model):
    """A position the letter goes to, and what it looked like when the letter was frozen."""

    letter = models.ForeignKey(Letter, models.CASCADE, related_name="recipients")
    position = models.ForeignKey(
        Position,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="letter_recipients",
        help_text="Empty only for an addressee of a letter imported as sent that was left out "
        "of the address book: its snapshot keeps what the letter said",
    )
    mailing_list = models.ForeignKey(
        MailingList,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="letter_recipients",
        help_text="The mailing list this office was added with, if any",
    )
    official = models.ForeignKey(
        Official,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="letter_recipients",
        help_text="The holder when the letter was finalised",
    )
    role = models.CharField(max_length=2, choices=RecipientRole.choices, default=RecipientRole.TO)
    order = models.PositiveIntegerField(default=0)

    snapshot_name = models.CharField(max_length=200, blank=True)
    snapshot_title = models.CharField(max_length=300, blank=True)
    snapshot_address = models.TextField(
        blank=True,
        max_length=MAX_SNAPSHOT_ADDRESS,
        validators=[MaxLengthValidator(MAX_SNAPSHOT_ADDRESS)],
    )
    snapshot_salutation = models.CharField(max_length=300, blank=True)
    snapshot_taken_at = models.DateTimeField(null=True, blank=True)

    sent_on = models.DateField(null=True, blank=True)
    send_channel = models.CharField(
        max_length=20,
        blank=True,
        choices=[
            ("post", "Post"),
            ("email", "E-mail"),
            ("fax", "Fax"),
            ("hand", "Hand delivery"),
            ("meeting", "In a meeting"),
        ],
    )

    history = HistoricalRecords()
    # `addressee()`, set by letters.text and the editor for the templates.
    shown: dict
    # The greeting this recipient's copy prints, set by the editor.
    copy_greeting: str

    class Meta:
        # "-role" puts "to" before "cc".
        ordering = ["letter", "-role", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "position"],
                name="recipient_unique_position",
                violation_error_message="This office is already a recipient of the letter.",
            ),
            MaxLengthConstraint(
                field="snapshot_address",
                limit=MAX_SNAPSHOT_ADDRESS,
                name="recipient_snapshot_address_max_length",
            ),
            models.CheckConstraint(
                condition=Q(position__isnull=False) | Q(snapshot_taken_at__isnull=False),
                name="recipient_unlinked_only_frozen",
                violation_error_message="Only a frozen recipient may be outside the address book.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.position or self.snapshot_title}"

    @property
    def office_title(self) -> str:
        """The office's title; for one outside the address book, as the letter printed it."""
        return self.position.title if self.position else self.snapshot_title

    @property
    def office_institution(self) -> str:
        return self.position.institution if self.position else ""

    @property
    def is_frozen(self) -> bool:
        return self.snapshot_taken_at is not None

    @property
    def linked_position(self) -> Position:
        """The office in the address book; every recipient not yet frozen has one."""
        if self.position is None:
            raise ValueError(f"{self} is outside the address book: only its snapshot is kept.")
        return self.position

    def take_snapshot(self) -> None:
        """Freeze name, title, address and salutation as the address book has them today."""
        position = self.linked_position
        holder = position.current_holder()
        self.official = holder
        self.snapshot_name = holder.name_in(self.letter.language) if holder else ""
        self.snapshot_title = position.title
        self.snapshot_address = "\n".join(position.address_lines_list(self.letter.language))
        self.snapshot_salutation = position.salutation(holder)
        self.snapshot_taken_at = timezone.now()

    def addressee(self, *, language: str | None = None) -> dict:
        """
        What the letter prints for this recipient: frozen if finalised, live if a
        draft. `language` is a translation's, which prints its original's recipients.
        """
        if self.is_frozen:
            return {
                "name": self.snapshot_name,
                "title": self.snapshot_title,
                "address_lines": [line for line in self.snapshot_address.splitlines() if line],
                "salutation": self.snapshot_salutation,
                "vacant": not self.snapshot_name,
            }
        position = self.linked_position
        holder = position.current_holder()
        language = language or self.letter.language
        return {
            "name": holder.name_in(language) if holder else "",
            "title": position.title,
            "address_lines": position.address_lines_list(language),
            "salutation": position.salutation(holder),
            "vacant": holder is None,
        }


class Section(models.Model):
    letter = models.ForeignKey(Letter, models.CASCADE, related_name="sections")
    order = models.PositiveIntegerField(default=0)
    heading = models.CharField(max_length=300, blank=True)
    body = models.TextField(
        blank=True,
        help_text="Markdown",
        max_length=MAX_MARKDOWN,
        validators=[MaxLengthValidator(MAX_MARKDOWN)],
    )
    lead_in = models.CharField(
        max_length=500,
        blank=True,
        help_text="Introduces the recommendations, e.g. 'We urge the Government of Japan to:'",
    )
    closing = models.TextField(
        blank=True,
        help_text="Markdown: a paragraph after the section's recommendations",
        max_length=MAX_MARKDOWN,
        validators=[MaxLengthValidator(MAX_MARKDOWN)],
    )

    history = HistoricalRecords()
    # (number, recommendation) pairs, set by letters.text and the editor for the templates.
    numbered: list[tuple[int, Recommendation]]

    class Meta:
        ordering = ["letter", "order", "pk"]
        indexes = [models.Index(fields=["letter", "order"], name="section_letter_order_idx")]
        constraints = [
            MaxLengthConstraint(field="body", limit=MAX_MARKDOWN, name="section_body_max_length"),
            MaxLengthConstraint(
                field="closing", limit=MAX_MARKDOWN, name="section_closing_max_length"
            ),
        ]

    def __str__(self) -> str:
        return self.heading or f"Section {self.order + 1}"


def _write_statuses(recs: list) -> None:
    """
    Store derived statuses of many recommendations. History ignores both paths,
    which is right for these derived columns; the cached figures are told.
    """
    from letters import tracking_cache

    tracking_cache.changed()
    if connection.vendor != "postgresql":
        Recommendation.objects.bulk_update(recs, list(DERIVED_STATUS_FIELDS), batch_size=500)
        return
    # bulk_update's CASE expressions cost seconds of Python for thousands of
    # rows; PostgreSQL takes them as one VALUES list per thousand.
    table = Recommendation._meta.db_table
    for start in range(0, len(recs), 1000):
        batch = recs[start : start + 1000]
        rows = ", ".join(["(%s, %s, %s, %s::date, %s::date)"] * len(batch))
        params = [
            value
            for rec in batch
            for value in (
                rec.pk,
                rec.current_response,
                rec.current_implementation,
                rec.review_due,
                rec.last_update,
            )
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS r SET current_response = v.response, "
                "current_implementation = v.implementation, review_due = v.review_due, "
                "last_update = v.last_update "
                f"FROM (VALUES {rows}) AS v(id, response, implementation, review_due, "
                "last_update) WHERE r.id = v.id",
                params,
            )


class RecommendationQuerySet(models.QuerySet):
    def visible_to(self, user) -> RecommendationQuerySet:
        if user.has_perm(SEE_LETTERS):
            return self
        return self.none()

    def with_status(self) -> RecommendationQuerySet:
        """
        Annotate the current response status, implementation status and next
        review date (None when there is none). They are kept on the row by
        `refresh_status()` so that the tracker can filter and sort 100,000
        recommendations on indexed columns instead of correlated subqueries.
        """
        return self.annotate(
            response_status=NullIf(F("current_response"), Value("")),
            implementation_status=NullIf(F("current_implementation"), Value("")),
            next_review=F("review_due"),
        )

    def with_followed_status(self) -> RecommendationQuerySet:
        """
        `with_status()`, read in a translation from the original's recommendation,
        where follow-ups are recorded (a translation's own columns stay empty).
        """
        return self.annotate(
            response_status=NullIf(
                Coalesce(F("original__current_response"), F("current_response")), Value("")
            ),
            implementation_status=NullIf(
                Coalesce(F("original__current_implementation"), F("current_implementation")),
                Value(""),
            ),
            next_review=Coalesce(F("original__review_due"), F("review_due")),
        )

    def originals(self) -> RecommendationQuerySet:
        """Leave out translations: each ask counted once, where its follow-ups are."""
        return self.filter(letter__translation_of__isnull=True)

    def refresh_status(self) -> int:
        """
        refresh_status() for every recommendation here, in a constant number of
        queries (for imports): one read of their entries, one batched update.
        """
        # The class is left unparameterised (with a model, the stubs would check
        # with_status()'s names in lookups as fields), so say what it holds here.
        recs = cast("list[Recommendation]", list(self.only("pk")))
        entries: dict[int, list] = {rec.pk: [] for rec in recs}
        fields = ["date", "recorded_at", "response_status", "implementation_status", "next_review"]
        for entry in FollowUp.objects.filter(recommendation_id__in=entries).only(
            "recommendation_id", *fields
        ):
            entries[entry.recommendation_id].append(entry)
        for rec in recs:
            for name, value in derive_status(entries[rec.pk]).items():
                setattr(rec, name, value)
        _write_statuses(recs)
        return len(recs)

    def overdue(self, on=None) -> RecommendationQuerySet:
        on = on or timezone.localdate()
        return self.with_status().filter(review_due__lt=on)

    def still_open(self) -> RecommendationQuerySet:
        """Not (yet) implemented: what a follow-up letter carries forward."""
        return self.exclude(current_implementation=ImplementationStatus.IMPLEMENTED)


class Recommendation(models.Model):
    letter = models.ForeignKey(Letter, models.CASCADE, related_name="recommendations")
    section = models.ForeignKey(Section, models.CASCADE, related_name="recommendations")
    order = models.PositiveIntegerField(default=0)
    number = models.PositiveIntegerField(
        editable=False, help_text="Assigned once; part of the stable reference"
    )
    reference = models.CharField(max_length=60, unique=True, editable=False)
    text = models.TextField(
        max_length=MAX_RECOMMENDATION, validators=[MaxLengthValidator(MAX_RECOMMENDATION)]
    )
    # The stubs see a CountryField as a CharField (a str); the descriptor gives a Country.
    government: models.Field[str | Country, Country] = CountryField(
        help_text="The government or intergovernmental organisation it is addressed to"
    )
    third_state: models.Field[str | Country, Country] = CountryField(
        blank=True,
        help_text="The state or organisation it asks that government to act upon, if any",
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="recommendations")
    repeats = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="repeated_by",
        help_text="The earlier recommendation this one repeats",
    )
    # In a translation: the original's recommendation this one says in another
    # language. Follow-ups are recorded once, on the original (see `followed`);
    # when the original's is deleted the translation's is left unmatched.
    original = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="translations",
        help_text="The original letter's recommendation this one translates",
    )
    followers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="followed_recommendations",
        help_text="People e-mailed when its review is overdue",
    )

    # Derived from the follow-up entries by refresh_status(); never edited by hand.
    current_response = models.CharField(
        max_length=30, choices=ResponseStatus.choices, blank=True, editable=False
    )
    current_implementation = models.CharField(
        max_length=30, choices=ImplementationStatus.choices, blank=True, editable=False
    )
    review_due = models.DateField(null=True, blank=True, editable=False)
    last_update = models.DateField(null=True, blank=True, editable=False)

    history = HistoricalRecords(
        m2m_fields=[themes],
        # Derived columns change with every follow-up, whose own history says why.
        excluded_fields=list(DERIVED_STATUS_FIELDS),
    )

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["letter", "section__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "number"], name="recommendation_unique_number"
            ),
            models.UniqueConstraint(
                fields=["letter", "original"],
                name="recommendation_unique_translation",
                violation_error_message="This recommendation is already translated in this letter.",
            ),
            MaxLengthConstraint(
                field="text", limit=MAX_RECOMMENDATION, name="recommendation_text_max_length"
            ),
        ]
        indexes = [
            models.Index(fields=["government", "id"], name="rec_government_idx"),
            # "Repeats" names a recommendation by its reference, in any case.
            models.Index(Upper("reference"), name="rec_reference_upper_idx"),
            models.Index(fields=["third_state"], name="rec_third_state_idx"),
            models.Index(fields=["section", "order"], name="rec_section_order_idx"),
            # -- follow-up tracker: one index per tracker filter and sort --
            models.Index(fields=["current_response", "id"], name="rec_response_idx"),
            models.Index(fields=["current_implementation", "id"], name="rec_implementation_idx"),
            models.Index(fields=["review_due"], name="rec_review_due_idx"),
            models.Index(fields=["last_update"], name="rec_last_update_idx"),
            # The tracker's default order (newest letters first), with the primary
            # key that keeps pages stable. Its sorts that put empty dates last when
            # descending have PostgreSQL-only indexes (SQLite cannot index NULLS
            # LAST): see migration tracker_sort_indexes.
            models.Index(fields=["-letter", "number", "id"], name="rec_tracker_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.text[:60]}"

    def save(self, *args, **kwargs) -> None:
        self.letter_id = self.section.letter_id
        if not self.number:
            self.number = self.next_number(self.letter_id)
        self.reference = f"{self.section.letter.reference}-R{self.number:02d}"
        if not self._state.adding and not args and kwargs.get("update_fields") is None:
            # An edit of the text never writes the status columns back: they
            # belong to refresh_status(), and this copy may predate a follow-up.
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in DERIVED_STATUS_FIELDS
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("letters:tracking_recommendation", args=[self.pk])

    @staticmethod
    def next_number(letter_id: int) -> int:
        """
        The next number in the letter. A number is part of a reference that may be
        cited elsewhere, so a deleted recommendation's is never given again: the
        history remembers every number the letter ever had, deleted ones included.
        """
        numbers = [
            Recommendation.objects.filter(letter_id=letter_id),
            Recommendation.history.filter(letter_id=letter_id),
        ]
        return 1 + max(q.aggregate(n=models.Max("number"))["n"] or 0 for q in numbers)

    def refresh_status(self) -> None:
        """
        Store the status derived from the entries on the row. An UPDATE rather
        than save(): the columns are a cache of the entries, whose own history
        records every change, so the recommendation's history stays about its text.
        """
        values = derive_status(
            FollowUp.objects.filter(recommendation_id=self.pk).only(
                "date",
                "recorded_at",
                "response_status",
                "implementation_status",
                "next_review",
            )
        )
        Recommendation.objects.filter(pk=self.pk).update(**values)
        from letters import tracking_cache

        tracking_cache.changed()
        for name, value in values.items():
            setattr(self, name, value)

    @property
    def is_overdue(self) -> bool:
        return self.review_due is not None and self.review_due < timezone.localdate()
