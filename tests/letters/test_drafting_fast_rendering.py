"""The editor's shortcuts for long lists: they must print what Django's own would."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse

from letters.forms.drafting import LetterForm, SignatoryForm
from letters.forms.widgets import LongSelect
from letters.models import Organization
from letters.templatetags.drafting import item_url
from tests.factories import (
    make_draft,
    make_organization,
    make_recommendation,
    make_section,
    make_signatory,
)

pytestmark = pytest.mark.django_db


def squeezed(html: str) -> str:
    """The markup without the line breaks between tags, where the two differ."""
    return re.sub(r">\s+<", "><", html).strip()


def test_long_select_prints_what_djangos_select_prints():
    choices = [
        ("", "---------"),
        ("1", 'Rights & "Justice" <Network>'),
        ("2", "Refugee Support"),
        ("Region", [("3", "Asia"), ("4", "Europe <east>")]),
    ]
    attrs = {"id": "id_org", "class": "form-select", "required": True}
    for value in ["2", "4", None]:
        ours = LongSelect(choices=choices).render("org", value, attrs)
        django = forms.Select(choices=choices).render("org", value, attrs)
        assert squeezed(ours) == squeezed(django)
    assert "&lt;Network&gt;" in ours and "<Network>" not in ours


def test_the_organisation_lists_use_the_long_select_and_keep_the_choice():
    chosen = make_organization(name="Chosen <b>org</b>")
    make_organization(name="Other org")
    letter = make_draft(lead_organization=chosen)
    html = str(LetterForm(instance=letter, letter=letter)["lead_organization"])
    assert f'<option value="{chosen.pk}" selected>Chosen &lt;b&gt;org&lt;/b&gt;</option>' in html
    assert html.count("<option") == Organization.objects.count() + 1  # and the empty choice
    signatory_field = SignatoryForm(letter=letter).fields["organization"]
    assert isinstance(signatory_field.widget, LongSelect)


def test_item_url_is_the_reversed_url():
    letter = make_draft()
    for pk in [1, 987654321, 42, letter.pk]:
        for name in ["letters:drafting_recommendation_edit", "letters:drafting_signatory_move"]:
            assert item_url(name, letter.pk, pk) == reverse(name, args=[letter.pk, pk])
    template = Template(
        "{% load drafting %}{% item_url 'letters:drafting_section_move' letter.pk 7 as u %}{{ u }}"
    )
    assert template.render(Context({"letter": letter})) == reverse(
        "letters:drafting_section_move", args=[letter.pk, 7]
    )


def test_the_editor_links_every_row_to_its_own_actions(client, drafter):
    letter = make_draft()
    recs = [make_recommendation(make_section(letter)) for _ in range(2)]
    signatory = make_signatory(letter)
    client.force_login(drafter)
    html = client.get(reverse("letters:drafting_edit", args=[letter.pk])).content.decode()
    for rec in recs:
        for name in ["edit", "delete", "move"]:
            url = reverse(f"letters:drafting_recommendation_{name}", args=[letter.pk, rec.pk])
            assert f'hx-get="{url}"' in html or f'hx-post="{url}"' in html
            assert f'href="{url}"' in html or f'action="{url}"' in html
    for name in ["edit", "remove", "move"]:
        url = reverse(f"letters:drafting_signatory_{name}", args=[letter.pk, signatory.pk])
        assert f'"{url}"' in html
