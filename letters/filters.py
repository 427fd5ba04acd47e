"""FilterSets for the list pages (django-filter)."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q
from django_countries import countries

from letters.models import Letter, LetterRecipient, LetterStatus, Organization


def _letter_years() -> list[tuple[int, int]]:
    years = Letter.objects.filter(date__isnull=False).dates("date", "year", order="DESC")
    return [(d.year, d.year) for d in years]


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
        choices=list(countries),
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
