"""Linked translations: one letter in several languages, with shared recipients and signatories."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from letters import drafting, printing, sending
from letters.models import FollowUp, Letter, Recommendation
from tests import factories

pytestmark = pytest.mark.django_db


def english_letter(**overrides) -> Letter:
    overrides.setdefault("language", "en")
    overrides.setdefault("subject", "Human rights in North Korea")
    return factories.make_draft(**overrides)


def translate(letter: Letter, language: str = "ja") -> Letter:
    return drafting.create_translation(
        letter=letter, language=language, reference=f"{letter.reference}-{language.upper()}"
    )


def test_a_translation_starts_as_a_linked_copy_of_the_text_with_nothing_of_its_own_to_sign():
    letter = english_letter()
    translation = translate(letter)
    assert translation.translation_of == letter and translation.language == "ja"
    assert translation.subject == letter.subject
    pairs = [
        (r.original_id, r.number, r.text)
        for r in translation.recommendations.order_by("section__order", "order")
    ]
    originals = [
        (r.pk, r.number, r.text) for r in letter.recommendations.order_by("section__order", "order")
    ]
    assert pairs == originals
    # Recipients and signatories: one source of truth, the original's.
    assert not translation.recipients.exists() and not translation.signatories.exists()
    assert [r.pk for r in translation.to_recipients()] == [r.pk for r in letter.to_recipients()]
    assert translation.original == letter and letter.original == letter


def test_one_translation_per_language_and_never_of_a_translation():
    letter = english_letter()
    translation = translate(letter)
    with pytest.raises(drafting.TranslationRefused, match="already has a version"):
        translate(letter)
    with pytest.raises(drafting.TranslationRefused, match="already has a version"):
        translate(letter, "en")
    with pytest.raises(drafting.TranslationRefused, match="itself a translation"):
        translate(translation, "fr")


def test_a_drafter_creates_a_translation_and_lands_in_its_editor(client, drafter):
    letter = english_letter()
    client.force_login(drafter)
    page = client.get(reverse("letters:drafting_translate", args=[letter.pk]))
    assert page.status_code == 200
    assert f'value="{letter.reference}-JA"' in page.content.decode()
    response = client.post(
        reverse("letters:drafting_translate", args=[letter.pk]),
        {"language": "ja", "reference": f"{letter.reference}-JA"},
    )
    translation = Letter.objects.get(translation_of=letter)
    assert response.status_code == 302
    assert response["Location"] == reverse("letters:drafting_edit", args=[translation.pk])
    editor = client.get(response["Location"]).content.decode()
    assert "Edit them on" in editor and f"{letter.reference}</a>" in editor
    assert 'lang="en" hreflang="en">English</a>' in editor
    # The original's letter page names the translation, in its own language.
    detail = client.get(letter.get_absolute_url()).content.decode()
    assert 'lang="ja" hreflang="ja">日本語</a>' in detail


def test_a_taken_reference_or_language_is_refused_keeping_what_was_typed(client, drafter):
    letter = english_letter()
    translate(letter)
    client.force_login(drafter)
    response = client.post(
        reverse("letters:drafting_translate", args=[letter.pk]),
        {"language": "ja", "reference": letter.reference},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "already taken" in body and "Select a valid choice" in body
    assert Letter.objects.filter(translation_of=letter).count() == 1


def test_recipients_and_signatories_are_edited_on_the_original_only(client, drafter):
    letter = english_letter()
    translation = translate(letter)
    client.force_login(drafter)
    position = factories.make_position(title="Minister of Justice")
    response = client.post(
        reverse("letters:drafting_recipient_add", args=[translation.pk]),
        {"position": position.pk, "role": "cc", "version": translation.version},
    )
    assert response.status_code == 403
    assert not translation.recipients.exists()


def test_a_recommendation_added_to_the_original_is_flagged_on_the_translation_until_matched(
    client, drafter
):
    letter = english_letter()
    translation = translate(letter)
    new = factories.make_recommendation(letter.sections.first(), text="Free the detainees.")
    client.force_login(drafter)
    editor = reverse("letters:drafting_edit", args=[translation.pk])
    body = client.get(editor).content.decode()
    assert "Not translated yet (1)" in body and new.reference in body
    # The drafter adds its translation and says which one it translates.
    section = translation.sections.first()
    response = client.post(
        reverse("letters:drafting_recommendation_add", args=[translation.pk, section.pk]),
        {
            f"rec-new-{section.pk}-text": "拘束された人々を解放すること。",
            f"rec-new-{section.pk}-government": "JP",
            f"rec-new-{section.pk}-original": new.pk,
            f"rec-new-{section.pk}-version": Letter.objects.get(pk=translation.pk).version,
        },
    )
    assert response.status_code == 302
    assert translation.recommendations.get(original=new).text == "拘束された人々を解放すること。"
    body = client.get(editor).content.decode()
    assert "Not translated yet" not in body and "Every recommendation matches" in body


def test_a_recommendation_deleted_from_the_original_leaves_the_translation_unmatched(
    client, drafter
):
    letter = english_letter()
    translation = translate(letter)
    gone = letter.recommendations.order_by("number").last()
    drafting.delete_recommendation(recommendation=gone)
    gaps = drafting.translation_gaps(translation)
    assert [r.number for r in gaps.unmatched] == [gone.number] and not gaps.missing
    client.force_login(drafter)
    body = client.get(reverse("letters:drafting_edit", args=[translation.pk])).content.decode()
    assert "Not in the original (1)" in body


def test_a_follow_up_recorded_on_the_translation_is_recorded_once_on_the_original(client, drafter):
    letter = english_letter(status="sent")
    translation = translate(letter)
    rec = translation.recommendations.order_by("number").first()
    client.force_login(drafter)
    response = client.post(
        rec.get_absolute_url(),
        {"date": "2010-02-01", "kind": "reply", "response_status": "accepted", "note": "Yes."},
    )
    assert response.status_code == 302
    entry = FollowUp.objects.get()
    assert entry.recommendation_id == rec.original_id
    assert not FollowUp.objects.filter(recommendation=rec).exists()
    # Both pages show the entry and the status.
    for page in (rec, rec.original):
        body = client.get(page.get_absolute_url()).content.decode()
        assert "Yes." in body and "Accepted" in body
    detail = client.get(translation.get_absolute_url()).content.decode()
    assert "Accepted" in detail


def test_the_tracker_and_dashboard_count_each_recommendation_once(client, drafter):
    letter = english_letter(status="sent")
    translation = translate(letter)
    Letter.objects.filter(pk=translation.pk).update(status="sent")
    factories.make_follow_up(letter.recommendations.first(), response_status="accepted")
    Recommendation.objects.filter(letter=letter).refresh_status()
    client.force_login(drafter)
    exported = client.get(reverse("letters:tracking_export", args=["csv"]))
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode())))
    references = [row[0] for row in rows[1:]]
    assert sorted(references) == sorted(letter.recommendations.values_list("reference", flat=True))
    dashboard = client.get(reverse("dashboard"))
    assert dashboard.context["tracking_summary"].total == 3


def test_pages_read_the_same_number_of_queries_with_one_or_three_translations(client, drafter):
    client.force_login(drafter)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    one, three = english_letter(), english_letter()
    translate(one)
    for language in ("ja", "fr", "de"):
        translate(three, language)
    assert queries(one.get_absolute_url()) == queries(three.get_absolute_url())
    # And the translation's own page and editor, listing their siblings.
    ones, threes = one.translations.get(), three.translations.get(language="ja")
    assert queries(ones.get_absolute_url()) == queries(threes.get_absolute_url())
    assert queries(reverse("letters:drafting_edit", args=[ones.pk])) == queries(
        reverse("letters:drafting_edit", args=[threes.pk])
    )


def test_a_translation_cannot_circulate_and_waits_for_its_original_to_be_final():
    letter = english_letter()
    translation = translate(letter)
    problems = sending.finalise_problems(letter=translation)
    assert f"Finalise the original, {letter.reference}, first" in problems[0]
    assert not translation.allows("circulate") and letter.allows("circulate")


def test_a_japanese_translation_prints_in_japanese_to_the_original_recipients():
    letter = english_letter(date=None)
    translation = translate(letter)
    translation.subject = "北朝鮮の人権について"
    translation.save()
    rec = translation.recommendations.order_by("number").first()
    rec.text = "あらゆる会談で人権を提起すること。"
    rec.save()
    translation.touch()
    original_org = letter.signatories.get().organization.name
    pdf = printing.render_letter_pdf(translation)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "件名：北朝鮮の人権について" in text
    assert "あらゆる会談で人権を提起すること。" in text
    assert "Prime Minister" in text and original_org in text
    assert "ページ" in text and "Page" not in text
    # The English original still prints in English.
    english = " ".join(
        " ".join(p.extract_text().split())
        for p in PdfReader(io.BytesIO(printing.render_letter_pdf(letter))).pages
    )
    assert "Raise human rights in every meeting." in english and "ページ" not in english
