"""A letter prints in its own language: labels, date, names, addresses, emphasis."""

from __future__ import annotations

import datetime as dt
import gettext
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from letters import printing
from letters.printing import engine, layout
from tests import factories

pytestmark = pytest.mark.django_db


def text_of(data: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages]


def japanese_letter():
    letter = factories.make_letter(
        language="ja",
        subject="Re: 北朝鮮における人権",
        date=dt.date(2017, 2, 9),
        opening="謹啓",
        closing="敬具",
    )
    section = factories.make_section(letter, heading="難民", lead_in="日本政府に対し次を求めます。")
    factories.make_recommendation(section, text="難民認定手続を改善すること。")
    justice = factories.make_position(
        title="法務大臣",
        institution="法務省",
        address_lines="霞が関1-1-1",
        locality="千代田区",
        region="東京都",
        postal_code="100-8977",
        salutation_pattern="{office} {family_name}様",
    )
    factories.make_term(
        justice,
        factories.make_official(
            given_name="Keiko",
            family_name="Chiba",
            name_order="family_first",
            native_name="千葉 景子",
        ),
    )
    factories.make_recipient(letter, justice, role="to")
    factories.make_recipient(letter, factories.make_position(title="外務大臣"), role="cc")
    factories.make_signatory(letter, role="lead", signer_name="森田 愛子")
    return letter


def test_a_japanese_letter_prints_in_japanese_from_address_to_page_numbers():
    letter = japanese_letter()
    pages = text_of(printing.render_letter_pdf(letter))
    first, everything = pages[0], " ".join(pages)
    # The address block in Japanese order: 〒 and postal code, prefecture, ward,
    # street, ministry, then office and name, family name first, with 殿.
    order = ["〒100-8977", "東京都千代田区霞が関1-1-1", "法務省", "法務大臣 千葉景子殿"]
    positions = [first.index(part) for part in order]
    assert positions == sorted(positions)
    assert "JAPAN" not in first  # posted in Japan, in Japanese
    assert "2017年2月9日" in first
    # The prefix typed into the subject is not printed twice, and is Japanese.
    assert "件名：北朝鮮における人権" in first and "Re:" not in everything
    assert "写し送付先：" in everything and "cc:" not in everything
    assert f"1/{len(pages)}ページ" in first and "Page" not in everything


def test_a_finalised_japanese_letter_keeps_its_japanese_address_block():
    letter = japanese_letter()
    recipient = letter.recipients.get(role="to")
    recipient.take_snapshot()
    recipient.save()
    recipient.position.address_lines = "changed after finalising"
    recipient.position.save()
    assert recipient.addressee()["address_lines"][:2] == ["〒100-8977", "東京都千代田区霞が関1-1-1"]
    assert recipient.addressee()["name"] == "千葉景子殿"
    first = text_of(printing.render_letter_pdf(letter))[0]
    assert "〒100-8977" in first and "changed" not in first


def test_each_copy_of_a_japanese_letter_says_whose_it_is_in_japanese():
    letter = japanese_letter()
    copies = dict(layout.copies_html(letter, archival=False))
    footers = sorted(
        html.split('class="running-foot">')[1].split("<")[0] for html in copies.values()
    )
    assert footers == ["外務大臣 写し", "法務大臣 宛"]


def test_cjk_emphasis_prints_upright_and_bold_never_oblique():
    letter = japanese_letter()
    document = engine.layout(layout.letter_html(letter))
    styles = {}

    def walk(box):
        if getattr(box, "element_tag", None) in {"p", "em"} and "letter-lead-in" in (
            box.element.get("class") or ""
        ):
            styles["lead-in"] = (box.style["font_style"], box.style["font_weight"])
        for child in getattr(box, "children", []):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    assert styles["lead-in"] == ("normal", 700)


@pytest.mark.parametrize(
    ("language", "date", "pages"),
    [
        ("en-us", "February 9, 2017", "Page 1 of 1"),
        ("en-gb", "9 February 2017", "Page 1 of 1"),
        ("en", "9 February 2017", "Page 1 of 1"),
    ],
)
def test_an_english_letter_dates_itself_as_its_region_does(language, date, pages):
    letter = factories.make_letter(language=language, date=dt.date(2017, 2, 9), subject="Trade")
    factories.make_recipient(letter)
    first = text_of(printing.render_letter_pdf(letter))[0]
    assert date in first and pages in first
    assert "Re: Trade" in first


def test_an_english_letter_to_japan_prints_the_address_in_latin_order():
    letter = japanese_letter()
    letter.language = "en"
    letter.save()
    first = text_of(printing.render_letter_pdf(letter))[0]
    assert "〒" not in first
    assert "霞が関1-1-1" in first and first.index("霞が関1-1-1") < first.index("100-8977")


def test_a_letter_to_the_european_commission_prints_a_belgian_address():
    letter = factories.make_letter(subject="Trade and human rights")
    commission = factories.make_position(
        title="President of the European Commission",
        institution="European Commission",
        country="EU",
        address_country="BE",
        address_lines="Rue de la Loi 200",
        locality="Brussels",
        region="",
        postal_code="1049",
    )
    commission.full_clean()
    factories.make_term(
        commission,
        factories.make_official(honorific="H.E.", given_name="Jean-Claude", family_name="Juncker"),
    )
    factories.make_recipient(letter, commission)
    first = text_of(printing.render_letter_pdf(letter))[0]
    assert "Rue de la Loi 200 1049 BRUSSELS BELGIUM" in first
    assert "B-1049" not in first and "Bruxelles" not in first
    # The default greeting names the office briefly, as an English letter does.
    assert "Dear President Juncker," in first


def test_the_compiled_catalogues_match_their_sources(tmp_path):
    """After editing a .po, run `manage.py compilemessages` and commit the .mo."""
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "msgfmt (Debian's gettext, in the Makefile's SYSTEM_PACKAGES) is missing"
    sources = sorted(Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/django.po"))
    assert {p.parts[-3] for p in sources} >= {"en", "ja"}
    for po in sources:
        fresh = tmp_path / f"{po.parts[-3]}.mo"
        subprocess.run([msgfmt, "--check-format", "-o", fresh, po], check=True)
        with fresh.open("rb") as new, po.with_suffix(".mo").open("rb") as committed:
            assert gettext.GNUTranslations(committed)._catalog == (  # type: ignore[attr-defined]
                gettext.GNUTranslations(new)._catalog  # type: ignore[attr-defined]
            ), f"{po} changed: run manage.py compilemessages"


def test_address_labels_of_a_japanese_letter_end_with_office_and_name():
    letter = japanese_letter()
    label = text_of(printing.document(letter, kind="labels")[1]())[0]
    assert label.index("〒100-8977") < label.index("法務省") < label.index("法務大臣 千葉景子殿")


def japanese_coalition_letter():
    """The Japanese letter signed as a list grouped by type: a network, national and local."""
    from letters.models import OrganizationKind, SignatoryGrouping, SignatoryLayout

    letter = japanese_letter()
    letter.signatory_layout = SignatoryLayout.LIST
    letter.signatory_grouping = SignatoryGrouping.TYPE
    letter.save()
    for name, kind in [
        ("アジア人権ネットワーク", OrganizationKind.INTERNATIONAL),
        ("難民支援協会", OrganizationKind.NATIONAL),
        ("大阪難民の会", OrganizationKind.LOCAL),
        ("名古屋人権の会", OrganizationKind.LOCAL),
    ]:
        factories.make_signatory(letter, factories.make_organization(name=name, kind=kind))
    return letter


def test_a_japanese_list_by_type_prints_its_group_headings_in_japanese():
    letter = japanese_coalition_letter()
    everything = " ".join(text_of(printing.render_letter_pdf(letter)))
    for heading in ["国際ネットワーク", "全国団体", "地域団体"]:
        assert heading in everything
    for english in ["International network", "National", "Local", "Other organisations"]:
        assert english not in everything


def test_a_japanese_draft_is_marked_草案_not_draft():
    letter = japanese_letter()
    assert layout.watermark(letter) == "DRAFT"  # the key file names and caches use
    assert layout.watermark_word(letter) == "草案"
    data = printing.render_letter_pdf(letter)
    marks = layout.sheet_context(letter)["watermark_image"]
    assert "%E8%8D%89%E6%A1%88" in marks and "DRAFT" not in marks  # 草案, percent-encoded
    everything = " ".join(text_of(data))
    assert "草案" in everything and "DRAFT" not in everything
    english = factories.make_draft()
    assert "DRAFT" in layout.sheet_context(english)["watermark_image"]


def test_the_letter_page_marks_each_japanese_copy_as_japanese(client, coordinator):
    letter = japanese_letter()
    client.force_login(coordinator)
    page = client.get(letter.get_absolute_url()).content.decode()
    card = page.split('id="printing"')[1].split("</section>")[0]
    assert '<span class="visually-hidden">Copy for </span><span lang="ja">法務大臣' in card
    assert '<span lang="ja">外務大臣' in card
    english = factories.make_draft()
    other = client.get(english.get_absolute_url()).content.decode()
    assert 'lang="ja"' not in other.split('id="printing"')[1].split("</section>")[0]


def test_the_preview_of_a_japanese_draft_is_marked_草案_too(client, drafter):
    client.force_login(drafter)
    css = client.get(reverse("letters:printing_preview_css")).content.decode()
    rule = css.split(".printed-letter.mark-draft:lang(ja) {")[1].split("}")[0]
    assert "%E8%8D%89%E6%A1%88" in rule  # 草案
    letter = japanese_letter()
    preview = client.get(reverse("letters:drafting_preview", args=[letter.pk])).content.decode()
    assert 'class="printed-letter' in preview and 'mark-draft" lang="ja"' in preview
