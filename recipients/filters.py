from __future__ import annotations

from typing import cast

import django_filters
from django import forms
from django.db.models import QuerySet
from django_countries import countries

from recipients.models import Position

SHOW_CHOICES = [
    ("", "Current offices"),
    ("proposed", "Proposed offices to check"),
    ("stale", "Not verified recently"),
    ("vacant", "Vacant"),
    ("archived", "Archived"),
    ("all", "All, archived included"),
]


class PositionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="filter_q",
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Office, person, institution or country"}
        ),
    )
    country = django_filters.ChoiceFilter(label="Country", empty_label="All countries")
    show = django_filters.ChoiceFilter(
        label="Show", choices=SHOW_CHOICES[1:], empty_label=SHOW_CHOICES[0][1], method="filter_show"
    )

    class Meta:
        model = Position
        fields = ["q", "country", "show"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # values_list() gives the stored codes, not the Country objects the model annotates.
        used = cast(
            "QuerySet[Position, str]",
            Position.objects.order_by().values_list("country", flat=True).distinct(),
        )
        self.filters["country"].extra["choices"] = sorted(
            ((code, countries.name(code)) for code in used), key=lambda c: str(c[1])
        )

    @property
    def qs(self):
        qs = super().qs
        if not self.form.cleaned_data.get("show"):
            # The default view hides archived offices; the "show" filter reveals them.
            qs = qs.filter(archived_at__isnull=True)
        return qs

    def filter_q(self, queryset, name: str, value: str):
        # One search for the whole app: the recipient picker uses the same.
        return queryset.search(value) if value.strip() else queryset

    def filter_show(self, queryset, name: str, value: str):
        if value == "proposed":
            return queryset.proposed()
        if value == "stale":
            return queryset.active().stale()
        if value == "vacant":
            return queryset.active().vacant()
        if value == "archived":
            return queryset.filter(archived_at__isnull=False)
        return queryset
