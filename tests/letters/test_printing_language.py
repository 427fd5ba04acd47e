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
