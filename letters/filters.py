"""FilterSets for the list pages. Every filter is a GET parameter, so a view can be bookmarked."""

from __future__ import annotations

import functools
from typing import cast

import django_filters
from django import forms
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django_countries import countries

from letters import tracking_cache
from letters.models import (
    ImplementationStatus,
    Letter,
    LetterRecipient,
    LetterStatus,
    Organization,
    OrganizationKind,
    Recommendation,
    RecommendationQuerySet,
    ResponseStatus,
    Theme,
)

NONE = "none"


def _date_filter(field_name: str, lookup: str, label: str) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        field_name=field_name,
        lookup_expr=lookup,
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class RecommendationFilter(django_filters.FilterSet):
    """The tracker: recommendations across all letters, by who, what and where they stand."""

    q = django_filters.CharFilter(method="search", label="Text or reference", max_length=100)
    # A reference, not a list of every letter: thousands of options would be
    # slow to send and useless to scroll.
    letter = django_filters.CharFilter(
        field_name="letter__reference",
        lookup_expr="iexact",
        max_length=40,
        label="Letter reference",
        widget=forms.TextInput(attrs={"placeholder": "e.g. JP-2009-12", "list": "letter-refs"}),
    )
    # Choices are the countries in use (see __init__): 250 options each would
    # cost more to render than the whole result page.
    government = django_filters.ChoiceFilter(
        choices=[], empty_label="Any government", label="Addressed to"
    )
    third_state = django_filters.ChoiceFilter(
        choices=[],
        empty_label="Any or none",
        method="filter_third_state",
        label="About third state",
    )
    theme = django_filters.ModelChoiceFilter(
        field_name="themes",
        queryset=Theme.objects.all(),
        to_field_name="slug",
        empty_label="Any theme",
    )
    response = django_filters.ChoiceFilter(
        field_name="current_response",
        choices=[*ResponseStatus.choices, (NONE, "No response yet")],
        empty_label="Any response",
        method="filter_status",
        label="Response",
    )
    implementation = django_filters.ChoiceFilter(
        field_name="current_implementation",
        choices=[*ImplementationStatus.choices, (NONE, "Not assessed")],
        empty_label="Any implementation",
        method="filter_status",
        label="Implementation",
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        widget=forms.CheckboxInput,
        label="Only overdue reviews",
    )
    # Applied in `qs`: drafts are left out unless this is ticked.
    include_drafts = django_filters.BooleanFilter(
        method="keep",
        widget=forms.CheckboxInput,
        label="Include drafts",
        help_text="Letters still being written or signed",
    )
    updated_after = _date_filter("last_update", "gte", "Last follow-up from")
    updated_before = _date_filter("last_update", "lte", "Last follow-up until")
    sent_after = _date_filter("letter__date", "gte", "Letter dated from")
    sent_before = _date_filter("letter__date", "lte", "Letter dated until")
    sort = django_filters.OrderingFilter(
        fields=[
            ("reference", "reference"),
            ("letter__date", "letter_date"),
            ("government", "government"),
            ("current_response", "response"),
            ("current_implementation", "implementation"),
            ("review_due", "review"),
            ("last_update", "updated"),
        ],
        field_labels={
            "reference": "Reference",
            "letter__date": "Letter date",
            "government": "Government",
            "current_response": "Response",
            "current_implementation": "Implementation",
            "review_due": "Next review",
            "last_update": "Last follow-up",
        },
        empty_label="Newest letters first",
        label="Sort by",
    )

    class Meta:
        model = Recommendation
        fields: list[str] = []

    # Who is looking: the tracker views set it, to find the letters they may see.
    request_user: AbstractBaseUser | AnonymousUser

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["government"].extra["choices"] = self._countries_in("government")
        self.filters["third_state"].extra["choices"] = [
            (NONE, "No third state"),
            *self._countries_in("third_state"),
        ]

    def recent_letters(self) -> list[str]:
        """Suggestions for the letter field (a datalist): the latest fifty references."""
        letters = Letter.objects.order_by("-date", "-pk").values_list("reference", flat=True)
        return list(letters[:50])

    @staticmethod
    def _countries_in(field: str) -> list[tuple[str, str]]:
        in_use = Recommendation.objects.order_by().values_list(field, flat=True).distinct()
        # A DISTINCT over every recommendation: cached until the next write.
        codes = tracking_cache.cached(f"countries:{field}", in_use, lambda: list(in_use))
        return sorted(
            ((code, countries.name(code) or code) for code in codes if code),
            key=lambda choice: choice[1],
        )

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        by_reference = Q(reference=value) | Q(reference=value.upper())
        if connection.vendor == "postgresql":
            # Words, served by the GIN index of migration 0006_tracker_text_search.
            from django.contrib.postgres.search import SearchQuery, SearchVector

            words = SearchQuery(value, config="simple", search_type="websearch")
            return queryset.annotate(text_search=SearchVector("text", config="simple")).filter(
                by_reference | Q(text_search=words)
            )
        return queryset.filter(by_reference | Q(text__icontains=value))

    def filter_third_state(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(third_state="" if value == NONE else value)

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(**{name: "" if value == NONE else value})

    def keep(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset

    def wants_drafts(self) -> bool:
        """Ticked, or a letter asked for by its reference (the letter page links here)."""
        if not self.is_bound or not self.form.is_valid():
            return False
        data = self.form.cleaned_data
        return bool(data.get("include_drafts") or data.get("letter"))

    def active(self) -> int:
        """How many filters narrow (or widen) the list, to open the filters when any does."""
        data = self.data if self.is_bound and self.data is not None else {}
        return len([name for name in self.filters if name != "sort" and data.get(name)])

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if value:
            return queryset.filter(review_due__lt=timezone.localdate())
        return queryset

    @property
    def qs(self) -> RecommendationQuerySet:
        # django-filter types qs as a plain QuerySet; it is the one given, filtered.
        queryset = cast(RecommendationQuerySet, super().qs)
        if not self.wants_drafts():
            # What is still being drafted has not asked a government anything yet.
            queryset = queryset.exclude(letter__status__in=LetterStatus.editable())
        # A stable order whatever the chosen sort, so pages never overlap: ties
        # broken by the primary key in the sort's direction, so that one index
        # read forwards or backwards serves both (rec_response_idx and the like).
        chosen = list(queryset.query.order_by)
        tie = "-pk" if chosen and str(chosen[0]).startswith("-") else "pk"
        order = chosen or ["-letter_id", "number"]
        # Dates that may be empty sort last both ways, on SQLite as on PostgreSQL.
        order = [_nulls_last(term) for term in order]
        return queryset.order_by(*order, tie)


NULLABLE_SORTS = {"review_due", "last_update", "letter__date"}


def _nulls_last(term):
    if not isinstance(term, str) or term.lstrip("-") not in NULLABLE_SORTS:
        return term
    if term.startswith("-"):
        return F(term[1:]).desc(nulls_last=True)
    return F(term).asc(nulls_last=True)


@functools.cache
def _country_choices_in(language: str) -> tuple[tuple[str, str], ...]:
    return tuple((code, str(name)) for code, name in countries)


def _country_choices() -> tuple[tuple[str, str], ...]:
    """Every country as (code, name) in the current language, worked out once per language."""
    return _country_choices_in(get_language() or "")


def _letter_years() -> tuple[tuple[int, int], ...]:
    """The years letters are dated in: a scan of every letter, so read once per write."""

    def read() -> tuple[tuple[int, int], ...]:
        years = Letter.objects.filter(date__isnull=False).dates("date", "year", order="DESC")
        return tuple((d.year, d.year) for d in years)

    return tracking_cache.cached_by_key("letter-years", "", read)


class LetterFilter(django_filters.FilterSet):
    """The letter list: search, status, lead organisation, addressed government, year."""

    q = django_filters.CharFilter(
        label="Search", method="filter_search", max_length=100, help_text=""
    )
    status = django_filters.ChoiceFilter(choices=LetterStatus.choices, empty_label="Any status")
    lead_organization = django_filters.ModelChoiceFilter(
        label="Lead organisation",
        queryset=Organization.objects.only("pk", "name"),
        empty_label="Any organisation",
    )
    government = django_filters.ChoiceFilter(
        label="Addressed government",
        # A callable: each request's form copies its fields, and 250 country
        # tuples took a quarter of the letter list's time to copy.
        choices=_country_choices,
        method="filter_government",
        empty_label="Any government",
    )
    year = django_filters.ChoiceFilter(
        label="Year",
        field_name="date",
        lookup_expr="year",
        choices=[],  # filled per request in __init__: the years letters exist for
        empty_label="Any year",
    )

    class Meta:
        model = Letter
        fields = ["q", "status", "lead_organization", "government", "year"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["year"].extra["choices"] = _letter_years()

    def filter_search(self, queryset, name: str, value: str):
        for word in value.split()[:8]:
            queryset = queryset.filter(Q(subject__icontains=word) | Q(reference__icontains=word))
        return queryset

    def filter_government(self, queryset, name: str, value: str):
        # The government a letter addresses is the country of its "to" offices.
        # Exists() keeps one row per letter however many recipients match.
        addressed = LetterRecipient.objects.filter(
            letter=OuterRef("pk"), role="to", position__country=value
        )
        return queryset.filter(Exists(addressed))


class OrganizationFilter(django_filters.FilterSet):
    """The organisations directory: search by name, short name or website; country; type."""

    q = django_filters.CharFilter(
        label="Search name, short name or website", method="filter_search", max_length=100
    )
    country = django_filters.ChoiceFilter(choices=list(countries), empty_label="Any country")
    kind = django_filters.ChoiceFilter(
        label="Type", choices=OrganizationKind.choices, empty_label="Any type"
    )

    class Meta:
        model = Organization
        fields = ["q", "country", "kind"]

    def filter_search(self, queryset, name: str, value: str):
        for word in value.split()[:8]:
            queryset = queryset.filter(
                Q(name__icontains=word) | Q(short_name__icontains=word) | Q(website__icontains=word)
            )
        return queryset
