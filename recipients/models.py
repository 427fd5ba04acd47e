"""
The address book: offices (positions), the people who hold them (officials)
and who held what when (terms).

"Who is Prime Minister now" is a query over terms, never a field to keep in
sync, so changing the holder cannot rewrite anything already sent.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django_countries.fields import Country, CountryField
from simple_history.models import HistoricalRecords

from recipients.addresses import address_errors, format_address, in_local_order
from recipients.governments import is_intergovernmental
from recipients.text_limits import MaxLengthConstraint

DEFAULT_SALUTATION = "Dear {office} {family_name},"
VACANT_SALUTATION = "Dear {office},"
# How diplomatic letters greet a body of states when nobody set another greeting.
COLLECTIVE_SALUTATION = "Excellencies,"
SAMPLE_NAME = {
    "office": "Minister",
    "honorific": "H.E.",
    "given_name": "Given",
    "family_name": "Family",
    "full_name": "Given Family",
}
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# What follows an office's name in its title: "President of the European
# Commission", "Minister for Foreign Affairs", "Director-General, Immigration Bureau".
OFFICE_QUALIFIER = re.compile(r",|\s(?:of|for|on|to)\s")


def greeting_office(title: str) -> str:
    """
    The office as the default greetings name it, without what qualifies it:
    "Dear President Juncker," as an English letter greets the President of the
    European Commission, never "Dear President of the European Commission Juncker,".
    """
    return OFFICE_QUALIFIER.split(title, maxsplit=1)[0].strip() or title


# A street address as it prints: a few lines of an envelope's width.
MAX_ADDRESS = 1000
MAX_ADDRESS_LINE = 200


def validate_address_lines(value: str) -> None:
    for number, line in enumerate(value.splitlines(), 1):
        if len(line) > MAX_ADDRESS_LINE:
            raise ValidationError(
                f"Line {number} of the address has {len(line)} characters; "
                f"at most {MAX_ADDRESS_LINE} fit on an envelope."
            )


def fill_salutation(pattern: str, values: Mapping[str, str]) -> str:
    """Put `values` into a greeting pattern's `{name}` placeholders.

    Only the names in SAMPLE_NAME, each in bare braces: no format specs, no
    attribute or index access, no other braces (str.format would take
    `{office.x}` or `{office:>100000000}`). Raises ValidationError otherwise.
    """
    allowed = ", ".join(f"{{{name}}}" for name in SAMPLE_NAME)
    # split() alternates literal text and placeholder names: text, name, text, ...
    parts = PLACEHOLDER.split(pattern)
    for i, part in enumerate(parts):
        if i % 2 and part not in SAMPLE_NAME:
            raise ValidationError(
                f"{{{part}}} is not a placeholder. Use only these, in braces: {allowed}."
            )
        if not i % 2 and ("{" in part or "}" in part):
            raise ValidationError(
                "Braces are only for placeholders, with nothing else inside them. "
                f"Use only these, in braces: {allowed}."
            )
    return "".join(values[part] if i % 2 else part for i, part in enumerate(parts))


class NameOrder(models.TextChoices):
    GIVEN_FIRST = "given_first", "Given name first (Barack Obama)"
    FAMILY_FIRST = "family_first", "Family name first (Hatoyama Yukio)"


class PositionKind(models.TextChoices):
    PERSON = "person", "An office one person holds"
    COLLECTIVE = "collective", "A body with no single holder (e.g. the member states of a council)"


class Delivery(models.TextChoices):
    """How letters reach the office: only post needs a postal address."""

    POST = "post", "Post"
    EMAIL = "email", "E-mail"
    HAND = "hand", "Hand delivery"


class PositionQuerySet(models.QuerySet):
    def active(self) -> PositionQuerySet:
        return self.filter(archived_at__isnull=True)

    def with_current_holder(self, on: dt.date | None = None) -> PositionQuerySet:
        """Annotate each position with the id of the official holding it on a day."""
        terms = Term.objects.covering(on).filter(position=OuterRef("pk")).order_by("-start")
        return self.annotate(current_official_id=Subquery(terms.values("official_id")[:1]))

    def vacant(self, on: dt.date | None = None) -> PositionQuerySet:
        return self.with_current_holder(on).filter(current_official_id__isnull=True)

    def search(self, q: str) -> PositionQuerySet:
        """
        Positions matching every word of `q` in the office, institution,
        department, country (code or name) or the current holder's name.
        """
        from django_countries import countries

        queryset = self
        for word in q.split()[:8]:
            lowered = word.lower()
            codes = [code for code, name in countries if lowered in str(name).lower()]
            holders = (
                Term.objects.covering()
                .filter(position=OuterRef("pk"))
                .filter(
                    Q(official__family_name__icontains=word)
                    | Q(official__given_name__icontains=word)
                    | Q(official__native_name__icontains=word)
                )
            )
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(institution__icontains=word)
                | Q(department__icontains=word)
                | Q(country__iexact=word)
                | Q(country__in=codes)
                | Exists(holders)
            )
        return queryset

    def proposed(self) -> PositionQuerySet:
        """Offices a drafter proposed from an imported letter, not yet checked by an Admin."""
        return self.filter(proposed=True, archived_at__isnull=True)

    def stale(self, days: int | None = None) -> PositionQuerySet:
        """Positions nobody has checked for `days` days (STALE_AFTER_DAYS by default)."""
        days = settings.STALE_AFTER_DAYS if days is None else days
        cutoff = timezone.localdate() - dt.timedelta(days=days)
        return self.filter(Q(last_verified__isnull=True) | Q(last_verified__lt=cutoff))


class Position(models.Model):
    """An office that persists while people come and go."""

    title = models.CharField("office", max_length=200, help_text="For example: Prime Minister")
    institution = models.CharField(
        max_length=200, blank=True, help_text="Ministry, agency or department"
    )
    department = models.CharField(
        max_length=200, blank=True, help_text="Office within the institution, if any"
    )
    # The stubs see a CountryField as a CharField (a str); the descriptor gives a Country.
    country: models.Field[str | Country, Country] = CountryField(
        help_text="The state or intergovernmental organisation (UN, EU, WTO…) it belongs to"
    )
    kind = models.CharField(
        max_length=20, choices=PositionKind.choices, default=PositionKind.PERSON
    )
    delivery = models.CharField(
        "delivered by",
        max_length=10,
        choices=Delivery.choices,
        default=Delivery.POST,
        help_text="Letters delivered by e-mail or by hand need no postal address.",
    )

    address_lines = models.TextField(
        blank=True,
        help_text="Street address, one line per line as it should print",
        max_length=MAX_ADDRESS,
        validators=[MaxLengthValidator(MAX_ADDRESS), validate_address_lines],
    )
    locality = models.CharField("city or town", max_length=120, blank=True)
    region = models.CharField("region or prefecture", max_length=120, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    address_country: models.Field[str | Country, Country] = CountryField(
        blank=True, help_text="Country of the postal address, if not the government's own"
    )

    email = models.EmailField(blank=True)
    fax = models.CharField(max_length=40, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    salutation_pattern = models.CharField(
        max_length=200,
        default=DEFAULT_SALUTATION,
        help_text=(
            "How letters greet the holder. Placeholders: {office}, {honorific}, "
            "{given_name}, {family_name}, {full_name}."
        ),
    )
    last_verified = models.DateField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    # Added from the text of an imported letter by someone who may not edit the
    # address book: usable at once, shown as "Proposed" until an Admin checks it.
    # Who proposed it, when and from what stay after the check.
    proposed = models.BooleanField(default=False)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposed_positions",
    )
    proposed_at = models.DateTimeField(null=True, blank=True)
    proposed_from = models.CharField(
        max_length=300, blank=True, help_text="The import it was proposed from"
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = PositionQuerySet.as_manager()

    class Meta:
        ordering = ["country", "institution", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "institution", "title"],
                condition=Q(archived_at__isnull=True),
                name="position_unique_active_office",
                violation_error_message="This office already exists for this country.",
            ),
            MaxLengthConstraint(
                field="address_lines", limit=MAX_ADDRESS, name="position_address_lines_max_length"
            ),
        ]
        indexes = [
            models.Index(fields=["last_verified"], name="position_verified_idx"),
            models.Index(
                fields=["proposed_at"], condition=Q(proposed=True), name="position_proposed_idx"
            ),
        ]

    def __str__(self) -> str:
        if self.institution:
            return f"{self.title}, {self.institution} ({self.country.name})"
        return f"{self.title} ({self.country.name})"

    def get_absolute_url(self) -> str:
        return reverse("recipients:position", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        errors = self.address_problems()
        try:
            fill_salutation(self.salutation_pattern, SAMPLE_NAME)
        except ValidationError as error:
            errors["salutation_pattern"] = error.messages[0]
        if errors:
            raise ValidationError(errors)

    def address_problems(self) -> dict[str, str]:
        """Field -> message; an office reached by e-mail or by hand may have no address at all."""
        if self.delivery != Delivery.POST and not self.has_postal_address:
            return {}
        if is_intergovernmental(self.postal_country):
            return {
                "address_country": "Post goes to a country: give the country of the address "
                "(e.g. Belgium for the European Commission in Brussels)."
            }
        return address_errors(
            address_lines=self.address_lines,
            locality=self.locality,
            region=self.region,
            postal_code=self.postal_code,
            country=self.postal_country,
        )

    @property
    def has_postal_address(self) -> bool:
        parts = [self.address_lines, self.locality, self.region, self.postal_code]
        return any(p.strip() for p in parts)

    @property
    def is_collective(self) -> bool:
        return self.kind == PositionKind.COLLECTIVE

    @property
    def postal_country(self) -> str:
        """The country the post goes to: the address's own, else the government's."""
        return str(self.address_country or self.country or "")

    @property
    def current_salutation(self) -> str:
        return self.salutation(self.current_holder())

    @property
    def is_vacant(self) -> bool:
        """Nobody holds the office today (uses prefetched terms when there are some)."""
        return self.current_term() is None

    def current_term(self, on: dt.date | None = None) -> Term | None:
        if "terms" in getattr(self, "_prefetched_objects_cache", {}):
            # Prefetched with prefetch_related("terms__official"): no query.
            day = on or timezone.localdate()
            covering = [
                t for t in self.terms.all() if t.start <= day and (t.end is None or t.end >= day)
            ]
            return max(covering, key=lambda t: t.start, default=None)
        return self.terms.covering(on).select_related("official").order_by("-start").first()

    def current_holder(self, on: dt.date | None = None) -> Official | None:
        term = self.current_term(on)
        return term.official if term else None

    def salutation(self, official: Official | None) -> str:
        """The greeting a letter to this office uses when `official` holds it."""
        if self.is_collective:
            # Nobody's name to fill in: only {office} means something here.
            pattern = self.salutation_pattern
            if pattern == DEFAULT_SALUTATION:
                pattern = COLLECTIVE_SALUTATION
            blank = dict.fromkeys(SAMPLE_NAME, "")
            try:
                text = fill_salutation(pattern, {**blank, "office": self.title})
            except ValidationError:
                text = COLLECTIVE_SALUTATION
            return " ".join(text.split())
        if official is None:
            return fill_salutation(VACANT_SALUTATION, {"office": greeting_office(self.title)})
        values = {
            # A pattern an admin wrote names the office as written; the default, briefly.
            "office": self.title
            if self.salutation_pattern != DEFAULT_SALUTATION
            else greeting_office(self.title),
            "honorific": official.honorific,
            "given_name": official.given_name,
            "family_name": official.family_name,
            "full_name": official.full_name,
        }
        try:
            text = fill_salutation(self.salutation_pattern, values)
        except ValidationError:  # a pattern stored before it was checked
            values["office"] = greeting_office(self.title)
            text = fill_salutation(DEFAULT_SALUTATION, values)
        return " ".join(text.split())

    def address_lines_list(self, language: str = "") -> list[str]:
        """
        The postal block below the holder's name, one item per printed line: in
        the country's own order when `language` (the letter's) is its language,
        where the office follows the address (〒, prefecture, street, ministry).
        """
        office = [self.department, self.institution]
        if not self.has_postal_address:
            # Delivered by e-mail or by hand: no street, so no country line either.
            return [line for line in office if line]
        country = self.postal_country
        postal = format_address(
            address_lines=self.address_lines,
            locality=self.locality,
            region=self.region,
            postal_code=self.postal_code,
            country=country,
            language=language,
        )
        parts = {
            "address_lines": self.address_lines,
            "locality": self.locality,
            "region": self.region,
            "postal_code": self.postal_code,
        }
        if in_local_order(language, country, parts):
            # Written in the country's own script and order, the letter is posted
            # inside it: no country line, which would fall between the office and
            # the name that ends a Japanese block.
            lines = postal[:-1] + office[::-1]
        else:
            lines = office + postal
        return [line for line in lines if line]

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def verify(self, *, by=None) -> None:
        """An Admin checked the office today: no longer stale, no longer a proposal."""
        self.last_verified = timezone.localdate()
        self.proposed = False
        if by is not None:
            self._history_user = by
        self.save(update_fields=["last_verified", "proposed", "updated_at"])

    def is_stale(self, days: int | None = None) -> bool:
        days = settings.STALE_AFTER_DAYS if days is None else days
        if self.last_verified is None:
            return True
        return self.last_verified < timezone.localdate() - dt.timedelta(days=days)


class Official(models.Model):
    """A person who holds or held an office."""

    honorific = models.CharField(max_length=40, blank=True, help_text="H.E., Mr, Ms, Dr …")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    name_order = models.CharField(
        max_length=20, choices=NameOrder.choices, default=NameOrder.GIVEN_FIRST
    )
    native_name = models.CharField(
        max_length=100, blank=True, help_text="The name in its own script, e.g. 鳩山由紀夫"
    )
    archived_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["family_name", "given_name"]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("recipients:official", args=[self.pk])

    @property
    def full_name(self) -> str:
        if self.name_order == NameOrder.FAMILY_FIRST:
            parts = [self.family_name, self.given_name]
        else:
            parts = [self.given_name, self.family_name]
        return " ".join(p for p in parts if p)

    @property
    def formal_name(self) -> str:
        """The name with its honorific, as an address block prints it."""
        return " ".join(p for p in [self.honorific, self.full_name] if p)

    def name_in(self, language: str) -> str:
        """
        The name as a letter in `language` prints it. In Japanese: the
        native-script name, family name first without a space (or the
        romanised one), then 殿, the title after the name replacing the
        honorific that precedes it in English (「法務大臣 千葉景子殿」).
        """
        if language.split("-")[0] == "ja":
            if self.native_name:
                name = "".join(self.native_name.split())
            else:
                name = " ".join(p for p in [self.family_name, self.given_name] if p)
            return f"{name}殿"
        return self.formal_name

    @property
    def display_name(self) -> str:
        """The full name with the native-script name after it, for screens."""
        if self.native_name:
            return f"{self.full_name} ({self.native_name})"
        return self.full_name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class TermQuerySet(models.QuerySet):
    def covering(self, on: dt.date | None = None) -> TermQuerySet:
        """Terms that include the day `on` (today by default)."""
        on = on or timezone.localdate()
        return self.filter(start__lte=on).filter(Q(end__isnull=True) | Q(end__gte=on))


class Term(models.Model):
    """An official holds a position from `start` to `end` (open-ended if empty)."""

    position = models.ForeignKey(Position, models.PROTECT, related_name="terms")
    official = models.ForeignKey(Official, models.PROTECT, related_name="terms")
    start = models.DateField()
    end = models.DateField(null=True, blank=True, help_text="Leave empty while in office")
    note = models.CharField(max_length=200, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = TermQuerySet.as_manager()

    class Meta:
        ordering = ["position", "-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="term_ends_after_start",
                violation_error_message="A term cannot end before it starts.",
            ),
            models.UniqueConstraint(
                fields=["position", "start"],
                name="term_unique_start",
                violation_error_message="This position already has a term starting that day.",
            ),
        ]
        indexes = [models.Index(fields=["position", "start", "end"], name="term_position_span_idx")]

    def __str__(self) -> str:
        until = self.end.isoformat() if self.end else "present"
        return f"{self.official} as {self.position.title}, {self.start.isoformat()} to {until}"

    def clean(self) -> None:
        super().clean()
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "A term cannot end before it starts."})
        if self.position_id and self.start:
            overlapping = Term.objects.filter(position_id=self.position_id).exclude(pk=self.pk)
            overlapping = overlapping.filter(Q(end__isnull=True) | Q(end__gte=self.start))
            if self.end:
                overlapping = overlapping.filter(start__lte=self.end)
            clash = overlapping.select_related("official").first()
            if clash:
                raise ValidationError(f"This term overlaps another one: {clash}.")


class MailingList(models.Model):
    """
    Offices written to together, one copy each ("all permanent missions to the
    UN in Geneva"): adding the list to a letter adds each of its offices.
    """

    name = models.CharField(max_length=200, unique=True)
    description = models.CharField(max_length=500, blank=True)
    positions = models.ManyToManyField(
        Position, blank=True, related_name="mailing_lists", verbose_name="offices"
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(m2m_fields=[positions])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("recipients:mailing_list", args=[self.pk])
