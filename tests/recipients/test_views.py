from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from letters.models import LetterStatus
from recipients.models import NameOrder, Official, Position
from tests.factories import (
    make_letter,
    make_official,
    make_position,
    make_recipient,
    make_term,
    make_user,
)

pytestmark = pytest.mark.django_db

ADDRESS = {
    "title": "Minister for Foreign Affairs",
    "institution": "Ministry of Foreign Affairs",
    "department": "",
    "country": "JP",
    "address_lines": "2-2-1 Kasumigaseki\nChiyoda-ku",
    "locality": "Tokyo",
    "region": "",
    "postal_code": "100-8919",
    "address_country": "",
    "email": "",
    "fax": "",
    "phone": "",
    "salutation_pattern": "Dear Minister {family_name},",
}


@pytest.fixture
def position():
    position = make_position(
        title="Prime Minister", salutation_pattern="Dear {office} {family_name},"
    )
    make_term(position, make_official(given_name="Yukio", family_name="Hatoyama"))
    return position


# -- permissions: admin writes, other roles read, outsiders get nothing --


@pytest.mark.parametrize("name", ["recipients:list", "recipients:officials", "recipients:export"])
def test_every_role_reads_the_directory(client, drafter, position, name):
    client.force_login(drafter)
    assert client.get(reverse(name)).status_code == 200


def test_every_role_reads_a_position_page(client, coordinator, position):
    client.force_login(coordinator)
    response = client.get(position.get_absolute_url())
    assert response.status_code == 200
    assert b"Hatoyama" in response.content
    assert b"Change holder" not in response.content


@pytest.mark.parametrize("name", ["recipients:list", "recipients:officials", "recipients:export"])
def test_outsider_is_refused_reading(client, outsider, name):
    client.force_login(outsider)
    response = client.get(reverse(name))
    assert response.status_code == 403
    assert b"role" in response.content


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("recipients:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("recipients:position_edit", "get"),
        ("recipients:position_verify", "post"),
        ("recipients:change_holder", "get"),
        ("recipients:position_archive", "post"),
        ("recipients:position_delete", "post"),
    ],
)
@pytest.mark.parametrize("persona", ["coordinator", "drafter", "outsider"])
def test_only_admins_change_positions(client, request, position, name, method, persona):
    client.force_login(request.getfixturevalue(persona))
    response = getattr(client, method)(reverse(name, args=[position.pk]))
    assert response.status_code == 403
    position.refresh_from_db()
    assert position.archived_at is None
    assert position.last_verified is None


@pytest.mark.parametrize("persona", ["coordinator", "outsider"])
def test_only_admins_add_officials_or_import(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(reverse("recipients:official_add"), {"given_name": "A"}).status_code == 403
    assert client.get(reverse("recipients:import")).status_code == 403
    assert not Official.objects.exists()


# -- directory --


def test_directory_groups_by_country_and_shows_vacant_and_stale(client, drafter, position):
    make_position(title="President", institution="Office of the President", country="KR",
                  address_lines="1 Cheongwadae-ro", locality="Seoul", postal_code="03048",
                  last_verified=timezone.localdate())  # fmt: skip
    client.force_login(drafter)
    response = client.get(reverse("recipients:list"))
    html = response.content.decode()
    assert "Japan" in html and "Korea" in html
    assert "Vacant" in html  # the president has no holder
    assert "Needs checking" in html  # the prime minister was never verified
    assert "Dear Prime Minister Hatoyama," in html


def test_directory_search_finds_offices_by_person_and_country(client, drafter, position):
    make_position(title="Chancellor", country="DE", address_lines="Willy-Brandt-Str. 1",
                  locality="Berlin", postal_code="10557")  # fmt: skip
    client.force_login(drafter)
    by_person = client.get(reverse("recipients:list"), {"q": "hatoyama"}).context["page"]
    assert [p.title for p in by_person] == ["Prime Minister"]
    by_country = client.get(reverse("recipients:list"), {"q": "germany"}).context["page"]
    assert [p.title for p in by_country] == ["Chancellor"]


def test_archived_positions_are_hidden_unless_asked_for(client, drafter, position):
    position.archived_at = timezone.now()
    position.save()
    client.force_login(drafter)
    assert list(client.get(reverse("recipients:list")).context["page"]) == []
    shown = client.get(reverse("recipients:list"), {"show": "archived"}).context["page"]
    assert list(shown) == [position]


def test_directory_rows_show_what_the_models_say(client, admin_user):
    """Rows are worked out in the view (speed): same holder, links, greeting as the models."""
    held = make_position(title="Prime Minister", institution="Cabinet", country="JP")
    past = make_official(family_name="Aso", given_name="Taro")
    make_term(held, past, start=dt.date(2008, 9, 24), end=dt.date(2009, 9, 15))
    today = make_official(family_name="Hatoyama", given_name="Yukio", native_name="鳩山由紀夫")
    make_term(held, today, start=dt.date(2009, 9, 16))
    vacant = make_position(title="Chief Cabinet Secretary", institution="Cabinet", country="JP")
    german = make_position(title="Chancellor", institution="", country="DE", last_verified=None)
    client.force_login(admin_user)

    response = client.get(reverse("recipients:list"))

    countries = response.context["countries"]
    assert [c["name"] for c in countries] == ["Germany", "Japan"]
    assert [g["institution"] for g in countries[1]["groups"]] == ["Cabinet"]
    rows = {row["pk"]: row for c in countries for g in c["groups"] for row in g["rows"]}
    assert rows[held.pk]["url"] == held.get_absolute_url()
    assert rows[held.pk]["verify_url"] == reverse("recipients:position_verify", args=[held.pk])
    assert rows[held.pk]["holder_url"] == today.get_absolute_url()
    assert rows[held.pk]["salutation"] == held.salutation(today)
    assert rows[held.pk]["address_lines"] == held.address_lines_list()
    assert rows[vacant.pk]["holder_url"] == ""
    assert rows[vacant.pk]["salutation"] == vacant.salutation(None)
    assert rows[german.pk]["stale"] is True
    html = response.content.decode()
    assert f'<a href="{today.get_absolute_url()}">{today.full_name}</a>' in html
    assert '<span class="small text-secondary" lang="ja">鳩山由紀夫</span>' in html
    assert "Aso" not in html
    assert f'action="{rows[german.pk]["verify_url"]}"' in html


def test_directory_query_count_does_not_grow_with_rows(
    client, drafter, django_assert_max_num_queries
):
    client.force_login(drafter)

    def fill(n):
        for _ in range(n):
            p = make_position()
            make_term(p, make_official(native_name="山田"))

    fill(3)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("recipients:list"))
    fill(45)
    with django_assert_max_num_queries(12) as many:
        client.get(reverse("recipients:list"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_directory_is_read_from_the_cache_until_the_address_book_changes(client, drafter, position):
    client.force_login(drafter)
    client.get(reverse("recipients:list"))
    with CaptureQueriesContext(connection) as cached:
        html = client.get(reverse("recipients:list")).content.decode()
    assert "Dear Prime Minister Hatoyama," in html
    assert not [q for q in cached.captured_queries if '"recipients_position"' in q["sql"]]
    assert len(cached.captured_queries) <= 7

    position.terms.get().delete()  # a term ends, or a holder changes
    make_term(position, make_official(given_name="Naoto", family_name="Kan"))
    assert "Dear Prime Minister Kan," in client.get(reverse("recipients:list")).content.decode()
    position.title = "Prime Minister of Japan"
    position.save()
    assert "Prime Minister of Japan" in client.get(reverse("recipients:list")).content.decode()


def test_each_editor_posts_from_the_cached_directory_with_its_own_csrf_token(admin_user, position):
    other = make_user("admin2", role="Admin")
    for user in (admin_user, other, admin_user):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(user)
        html = browser.get(reverse("recipients:list")).content.decode()
        verify = reverse("recipients:position_verify", args=[position.pk])
        form = html[html.index(f'action="{verify}"') :]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        assert token and "placeholder" not in token.group(1)
        response = browser.post(
            verify,
            {"csrfmiddlewaretoken": token.group(1), "next": reverse("recipients:list")},
        )
        assert response.status_code == 302
        position.last_verified = None  # stale again, so the next page shows the form
        position.save()


# -- forms --


def test_admin_adds_a_position_and_lands_on_its_page(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("recipients:position_add"), ADDRESS)
    position = Position.objects.get(title="Minister for Foreign Affairs")
    assert response.status_code == 302
    assert response.url == position.get_absolute_url()
    assert position.history.first().history_user == admin_user


def test_missing_address_parts_for_the_country_keep_what_was_typed(client, admin_user):
    client.force_login(admin_user)
    data = {**ADDRESS, "country": "US", "title": "Secretary of State", "postal_code": ""}
    response = client.post(reverse("recipients:position_add"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "Addresses in United States need a ZIP code." in form.errors["postal_code"]
    assert "Addresses in United States need a state." in form.errors["region"]
    assert b"Secretary of State" in response.content
    assert not Position.objects.exists()


def test_each_address_error_lands_on_its_own_field_of_the_office_form(client, admin_user):
    client.force_login(admin_user)
    data = {**ADDRESS, "country": "US", "title": "Secretary of State",
            "locality": "Washington", "region": "Narnia", "postal_code": "2050"}  # fmt: skip
    response = client.post(reverse("recipients:position_add"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"region", "postal_code"}
    assert errors["region"][0].startswith("The post in United States does not know this state")
    assert errors["postal_code"] == [
        "This does not look like a postal code for United States (for example 95014)."
    ]
    html = response.content.decode()
    assert 'value="Narnia"' in html and 'value="2050"' in html
    assert not Position.objects.exists()


def test_a_japanese_office_without_city_or_prefecture_is_told_which_field(client, admin_user):
    client.force_login(admin_user)
    data = {**ADDRESS, "locality": "", "region": ""}
    response = client.post(reverse("recipients:position_add"), data)
    assert response.context["form"].errors == {"region": ["Addresses in Japan need a prefecture."]}


@pytest.mark.parametrize("pattern", ["Dear {office.x},", "Dear {office:>100000000},"])
def test_a_hostile_salutation_pattern_is_a_form_error_and_saves_nothing(
    client, admin_user, pattern
):
    client.force_login(admin_user)
    response = client.post(
        reverse("recipients:position_add"), {**ADDRESS, "salutation_pattern": pattern}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["salutation_pattern"]
    assert "Use only these, in braces: {office}, {honorific}" in errors[0]
    assert not Position.objects.exists()


def test_preview_of_a_hostile_salutation_pattern_shows_the_error(client, admin_user):
    client.force_login(admin_user)
    data = {**ADDRESS, "salutation_pattern": "Dear {office:>100000000},"}
    response = client.post(reverse("recipients:position_preview"), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Braces are only for placeholders" in response.content.decode()
    # The default greeting instead, naming the office briefly.
    assert "Dear Minister Hatoyama," in response.content.decode()


def test_preview_shows_the_address_block_in_the_country_format(client, admin_user):
    client.force_login(admin_user)
    data = {**ADDRESS, "country": "FR", "title": "Ministre", "address_lines": "37 quai d'Orsay",
            "locality": "Paris", "postal_code": "75007"}  # fmt: skip
    response = client.post(reverse("recipients:position_preview"), data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "75007 PARIS" in html
    assert "FRANCE" in html
    assert "Dear Minister Hatoyama," in html  # the sample holder


def test_preview_button_works_without_javascript_and_saves_nothing(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("recipients:position_add"), {**ADDRESS, "preview": "1"})
    assert response.status_code == 200
    assert "Chiyoda-ku, TOKYO<br>100-8919" in response.content.decode()
    assert not Position.objects.exists()


def test_stale_edit_is_refused(client, admin_user, position):
    client.force_login(admin_user)
    loaded = client.get(reverse("recipients:position_edit", args=[position.pk]))
    stamp = loaded.context["form"].initial["loaded"]
    # Someone else saves first.
    Position.objects.get(pk=position.pk).save()
    data = {**ADDRESS, "title": "Prime Minister", "phone": "+81 3 1111 1111", "loaded": stamp}
    response = client.post(reverse("recipients:position_edit", args=[position.pk]), data)
    assert response.status_code == 200
    assert "Someone else saved this record" in response.content.decode()
    position.refresh_from_db()
    assert position.phone == ""


def test_official_form_previews_family_first_names_and_salutation(client, admin_user, position):
    client.force_login(admin_user)
    hatoyama = position.current_holder()
    data = {"honorific": "H.E. Mr", "given_name": "Yukio", "family_name": "Hatoyama",
            "name_order": NameOrder.FAMILY_FIRST, "native_name": "鳩山由紀夫"}  # fmt: skip
    response = client.post(reverse("recipients:official_preview", args=[hatoyama.pk]), data)
    html = response.content.decode()
    assert "H.E. Mr Hatoyama Yukio" in html
    assert "Hatoyama Yukio (鳩山由紀夫)" in html
    assert "Dear Prime Minister Hatoyama," in html

    response = client.post(reverse("recipients:official_edit", args=[hatoyama.pk]), data)
    assert response.status_code == 302
    hatoyama.refresh_from_db()
    assert hatoyama.full_name == "Hatoyama Yukio"


def test_confirm_verified_today_is_one_post(client, admin_user, position):
    client.force_login(admin_user)
    response = client.post(reverse("recipients:position_verify", args=[position.pk]))
    assert response.status_code == 302
    position.refresh_from_db()
    assert position.last_verified == timezone.localdate()
    assert not position.is_stale()
    assert client.get(reverse("recipients:position_verify", args=[position.pk])).status_code == 405


# -- change of holder through the page --


def test_admin_changes_the_holder_and_is_told_who_was_told(client, admin_user, position):
    dana = make_user("dana9", role="Drafter", first_name="Dana", last_name="Drafts")
    draft = make_letter(created_by=dana, reference="JP-2010-01")
    make_recipient(draft, position)
    client.force_login(admin_user)
    data = {"start": "2010-06-08", "given_name": "Naoto", "family_name": "Kan",
            "honorific": "H.E. Mr", "name_order": NameOrder.FAMILY_FIRST}  # fmt: skip
    url = reverse("recipients:change_holder", args=[position.pk])
    response = client.post(url, data, follow=True)
    html = response.content.decode()
    assert "Kan Naoto holds Prime Minister from 8 June 2010" in html
    assert (
        "Told the drafters of JP-2010-01 by e-mail: Dana Drafts &lt;dana9@example.org&gt;" in html
    )
    assert position.current_holder().family_name == "Kan"


def test_change_holder_needs_exactly_one_choice(client, admin_user, position):
    client.force_login(admin_user)
    data = {"start": "2010-06-08", "vacant": "on", "given_name": "Naoto", "family_name": "Kan",
            "name_order": NameOrder.GIVEN_FIRST}  # fmt: skip
    response = client.post(reverse("recipients:change_holder", args=[position.pk]), data)
    assert response.status_code == 200
    assert "exactly one of the three" in response.content.decode()
    assert position.terms.count() == 1
    assert not Official.objects.filter(family_name="Kan").exists()


def test_overlapping_change_is_refused_and_creates_nobody(client, admin_user, position):
    client.force_login(admin_user)
    data = {"start": "2001-01-01", "given_name": "Junichiro", "family_name": "Koizumi",
            "name_order": NameOrder.FAMILY_FIRST}  # fmt: skip
    response = client.post(reverse("recipients:change_holder", args=[position.pk]), data)
    assert response.status_code == 200
    assert "already holds this office from" in response.content.decode()
    assert not Official.objects.filter(family_name="Koizumi").exists()


# -- deleting and archiving --


def test_position_used_by_a_letter_cannot_be_deleted_and_the_letters_are_named(
    client, admin_user, position
):
    make_recipient(make_letter(reference="JP-2009-12", status=LetterStatus.SENT), position)
    client.force_login(admin_user)
    response = client.post(reverse("recipients:position_delete", args=[position.pk]), follow=True)
    assert "cannot be deleted: letters JP-2009-12 are addressed to it" in response.content.decode()
    assert Position.objects.filter(pk=position.pk).exists()

    client.post(reverse("recipients:position_archive", args=[position.pk]))
    position.refresh_from_db()
    assert position.is_archived
    assert position not in Position.objects.active()


def test_unused_position_is_deleted_with_its_terms(client, admin_user, position):
    client.force_login(admin_user)
    response = client.post(reverse("recipients:position_delete", args=[position.pk]))
    assert response.status_code == 302
    assert not Position.objects.filter(pk=position.pk).exists()


def test_official_who_held_an_office_can_only_be_archived(client, admin_user, position):
    hatoyama = position.current_holder()
    client.force_login(admin_user)
    response = client.post(reverse("recipients:official_delete", args=[hatoyama.pk]), follow=True)
    assert "can be deleted" not in response.content.decode()
    assert "cannot be deleted" in response.content.decode()
    assert Official.objects.filter(pk=hatoyama.pk).exists()


def test_restoring_an_archived_duplicate_is_refused(client, admin_user, position):
    position.archived_at = timezone.now()
    position.save()
    make_position(title=position.title, institution=position.institution, country="JP")
    client.force_login(admin_user)
    response = client.post(reverse("recipients:position_archive", args=[position.pk]), follow=True)
    assert "already exists" in response.content.decode()
    position.refresh_from_db()
    assert position.is_archived


# -- history --


def test_position_page_lists_who_changed_which_field(client, admin_user, position):
    client.force_login(admin_user)
    client.post(
        reverse("recipients:position_edit", args=[position.pk]),
        {**ADDRESS, "title": "Prime Minister", "institution": position.institution,
         "phone": "+81 3 3581 0101", "salutation_pattern": position.salutation_pattern},
    )  # fmt: skip
    client.post(reverse("recipients:change_holder", args=[position.pk]),
                {"start": "2010-06-08", "given_name": "Naoto", "family_name": "Kan",
                 "name_order": NameOrder.FAMILY_FIRST})  # fmt: skip
    response = client.get(position.get_absolute_url())
    changes = response.context["history"]
    phone = [c for c in changes if any(f[0] == "Phone" for f in c.fields)]
    assert phone and phone[0].who == admin_user
    assert ("Phone", "(empty)", "+81 3 3581 0101") in phone[0].fields
    assert any(c.what.startswith("Term of Kan Naoto") and c.kind == "Created" for c in changes)
    assert any(("End", "(empty)", "7 Jun 2010") in c.fields for c in changes)
    assert "+81 3 3581 0101" in response.content.decode()


def test_dashboard_flags_stale_positions(client, coordinator, settings):
    settings.STALE_AFTER_DAYS = 30
    make_position(title="Commandant", last_verified=timezone.localdate() - dt.timedelta(days=31))
    make_position(title="Fresh office", last_verified=timezone.localdate())
    client.force_login(coordinator)
    html = client.get(reverse("dashboard")).content.decode()
    assert "Addresses to check" in html
    assert "Commandant" in html
    assert "Fresh office" not in html


# -- correcting terms --


def test_term_ending_before_it_starts_is_refused_on_the_form(client, admin_user, position):
    term = position.terms.get()
    client.force_login(admin_user)
    data = {"official": term.official_id, "start": "2009-09-16", "end": "2009-01-01", "note": ""}
    response = client.post(reverse("recipients:term_edit", args=[term.pk]), data)
    assert response.status_code == 200
    assert "A term cannot end before it starts." in response.content.decode()
    term.refresh_from_db()
    assert term.end is None


def test_overlapping_term_correction_is_refused(client, admin_user, position):
    first = position.terms.get()
    first.end = dt.date(2010, 6, 7)
    first.save()
    second = make_term(position, start=dt.date(2010, 6, 8))
    client.force_login(admin_user)
    data = {"official": second.official_id, "start": "2010-01-01", "end": "", "note": ""}
    response = client.post(reverse("recipients:term_edit", args=[second.pk]), data)
    assert "overlaps another one" in response.content.decode()
    second.refresh_from_db()
    assert second.start == dt.date(2010, 6, 8)


def test_term_correction_is_admin_only(client, coordinator, position):
    client.force_login(coordinator)
    term = position.terms.get()
    assert client.get(reverse("recipients:term_edit", args=[term.pk])).status_code == 403
    assert (
        client.post(reverse("recipients:term_edit", args=[term.pk]), {"delete": "1"}).status_code
        == 403
    )
    assert position.terms.exists()


def test_a_mistaken_term_can_be_removed(client, admin_user, position):
    term = position.terms.get()
    client.force_login(admin_user)
    client.post(reverse("recipients:term_edit", args=[term.pk]), {"delete": "1"})
    assert position.is_vacant
    assert term.history.filter(history_type="-").get().history_user == admin_user


def test_official_page_shows_their_terms_in_the_history(client, admin_user, position):
    kan = make_official(given_name="Naoto", family_name="Kan")
    client.force_login(admin_user)
    client.post(
        reverse("recipients:change_holder", args=[position.pk]),
        {"start": "2010-06-08", "official": kan.pk, "name_order": NameOrder.GIVEN_FIRST},
    )
    changes = client.get(kan.get_absolute_url()).context["history"]
    assert any(c.what == "Term as Prime Minister" and c.who == admin_user for c in changes)


def test_stale_edit_of_a_person_is_refused(client, admin_user, position):
    hatoyama = position.current_holder()
    client.force_login(admin_user)
    url = reverse("recipients:official_edit", args=[hatoyama.pk])
    stamp = client.get(url).context["form"].initial["loaded"]
    Official.objects.get(pk=hatoyama.pk).save()
    data = {"given_name": "Yukio", "family_name": "Hatoyama", "honorific": "Dr",
            "name_order": NameOrder.GIVEN_FIRST, "loaded": stamp}  # fmt: skip
    response = client.post(url, data)
    assert "Someone else saved this record" in response.content.decode()
    hatoyama.refresh_from_db()
    assert hatoyama.honorific == ""


def test_verify_from_the_directory_returns_there_but_never_to_another_site(
    client, admin_user, position
):
    client.force_login(admin_user)
    url = reverse("recipients:position_verify", args=[position.pk])
    back = reverse("recipients:list") + "?show=stale"
    assert client.post(url, {"next": back}).url == back
    assert client.post(url, {"next": "https://evil.example/"}).url == position.get_absolute_url()


def test_archiving_warns_about_drafts_still_addressed_to_the_office(client, admin_user, position):
    make_recipient(make_letter(reference="JP-2010-09"), position)
    client.force_login(admin_user)
    url = reverse("recipients:position_archive", args=[position.pk])
    response = client.post(url, follow=True)
    assert "Letters still being drafted to this office: JP-2010-09." in response.content.decode()


def test_person_a_letter_was_sent_to_cannot_be_deleted_and_the_letters_are_named(
    client, admin_user
):
    kan = make_official(given_name="Naoto", family_name="Kan")
    sent = make_letter(reference="JP-2010-07", status=LetterStatus.SENT)
    make_recipient(sent, make_position(), official=kan)
    client.force_login(admin_user)
    response = client.post(reverse("recipients:official_delete", args=[kan.pk]), follow=True)
    assert "cannot be deleted: letters JP-2010-07 were sent to them" in response.content.decode()
    assert Official.objects.filter(pk=kan.pk).exists()


def test_a_refused_delete_keeps_the_terms_of_the_office(client, admin_user, position):
    make_recipient(make_letter(status=LetterStatus.SENT), position)
    client.force_login(admin_user)
    client.post(reverse("recipients:position_delete", args=[position.pk]))
    assert position.terms.count() == 1


def test_position_page_lists_the_letters_to_the_office(client, coordinator, position):
    make_recipient(make_letter(reference="JP-2009-12", subject="Rights first",
                               status=LetterStatus.SENT), position)  # fmt: skip
    make_recipient(make_letter(reference="JP-2010-09", subject="Six months on"), position)
    client.force_login(coordinator)
    html = client.get(position.get_absolute_url()).content.decode()
    assert "JP-2009-12: Rights first" in html
    assert "JP-2010-09: Six months on" in html
    assert "still being drafted" not in html


def test_cached_position_page_shows_new_letters_and_a_new_holder_at_once(
    client, coordinator, position, django_assert_max_num_queries
):
    client.force_login(coordinator)
    client.get(position.get_absolute_url())
    make_recipient(make_letter(reference="JP-2010-09", subject="Six months on"), position)
    with django_assert_max_num_queries(8):  # session, user, roles, office, cache, letters
        html = client.get(position.get_absolute_url()).content.decode()
    assert "JP-2010-09: Six months on" in html
    assert "Dear Prime Minister Hatoyama," in html

    position.terms.get().delete()
    make_term(position, make_official(given_name="Naoto", family_name="Kan"))
    html = client.get(position.get_absolute_url()).content.decode()
    assert "Dear Prime Minister Kan," in html and "JP-2010-09" in html


def test_position_page_query_count_does_not_grow_with_terms_or_changes(
    client, coordinator, position, django_assert_max_num_queries
):
    client.force_login(coordinator)
    with django_assert_max_num_queries(12) as few:
        client.get(position.get_absolute_url())
    for year in range(1990, 2008):
        make_term(position, make_official(), start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
        position.phone = f"+81 3 {year}"
        position.save()
    with django_assert_max_num_queries(12) as many:
        client.get(position.get_absolute_url())
    assert len(many.captured_queries) == len(few.captured_queries)


def test_person_page_lists_the_letters_sent_to_them(client, coordinator, position):
    hatoyama = position.current_holder()
    sent = make_letter(reference="JP-2009-12", subject="Rights first", status=LetterStatus.SENT)
    make_recipient(sent, position, official=hatoyama)
    make_recipient(make_letter(reference="JP-2010-09"), position)
    client.force_login(coordinator)
    html = client.get(hatoyama.get_absolute_url()).content.decode()
    assert "JP-2009-12: Rights first" in html
    assert "JP-2010-09" not in html
