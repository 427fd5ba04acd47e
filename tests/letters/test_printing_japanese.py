"""
A real-shaped Japanese letter: three Japanese NGOs write to the Minister of
Justice and the Minister for Foreign Affairs (the offices and their Tokyo
addresses are real; the organisations and the wording are invented). Every
copy, read back with pypdf, reads as a Japanese reader expects it: 〒 first,
「法務大臣 千葉景子殿」, 拝啓 … 敬具 and no "Dear", Japanese labels and date.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from letters import printing, sending, signing
from letters.models import GreetingMode, SignatoryRole
from letters.printing.layout import monogram
from letters.text import letter_context
from recipients.models import Delivery, PositionKind
from tests import factories

pytestmark = pytest.mark.django_db

OPENING = (
    "時下ますますご清祥のこととお慶び申し上げます。私たち日本の人権団体三団体は、"
    "難民認定制度と入国管理施設における長期収容について、以下のとおり要望いたします。"
)
BODY = (
    "難民認定申請者は、審査の結果が出るまで長い期間を待たなければなりません。"
    "その間、就労が認められず、医療にも十分にアクセスできない状況が続いています。"
)
CLOSING = "上記の要望について、真摯にご検討くださいますよう、お願い申し上げます。"
SIGNATORIES = [
    ("特定非営利活動法人 難民支援ネットワーク東京", "代表理事", "森田 愛子", SignatoryRole.LEAD),
    ("一般社団法人 人権フォーラム関西", "事務局長", "佐藤 健一", SignatoryRole.COSIGNER),
    ("移住者と共に歩む会", "共同代表", "高橋 由美", SignatoryRole.COSIGNER),
]


def ministry(title, institution, street, postal_code, holder):
    position = factories.make_position(
        title=title,
        institution=institution,
        country="JP",
        address_lines=street,
        locality="千代田区",
        region="東京都",
        postal_code=postal_code,
        # What an English-speaking admin types: a Japanese letter must not use it.
        salutation_pattern="Dear {office} {family_name},",
    )
    given, family, native = holder
    official = factories.make_official(
        honorific="H.E.",
        given_name=given,
        family_name=family,
        name_order="family_first",
        native_name=native,
    )
    factories.make_term(position, official)
    return position


def justice_minister():
    return ministry(
        "法務大臣", "法務省", "霞が関1-1-1", "100-8977", ("Keiko", "Chiba", "千葉 景子")
    )


def foreign_minister():
    return ministry(
        "外務大臣", "外務省", "霞が関2-2-1", "100-8919", ("Katsuya", "Okada", "岡田 克也")
    )


def two_ministers_letter(**overrides):
    """The letter, as a drafter writes it, and its two addressees."""
    overrides.setdefault("reference", "JP-2009-JA")
    overrides.setdefault("opening", OPENING)
    overrides.setdefault("closing", CLOSING)
    letter = factories.make_letter(
        language="ja",
        subject="難民認定制度と入国管理施設における収容に関する要望",
        date=dt.date(2009, 12, 10),
        **overrides,
    )
    first = factories.make_section(
        letter,
        heading="難民認定制度について",
        body=BODY,
        lead_in="日本政府に対し、次のことを求めます。",
    )
    factories.make_recommendation(first, text="難民認定手続に独立した不服審査機関を設けること。")
    factories.make_recommendation(
        first, text="申請者が審査中に就労し、医療を受けられるようにすること。"
    )
    second = factories.make_section(letter, heading="入国管理施設における収容について")
    factories.make_recommendation(
        second, text="収容期間に上限を設け、司法による審査を導入すること。"
    )
    factories.make_recommendation(second, text="子どもの収容を直ちにやめること。")
    justice = factories.make_recipient(letter, justice_minister(), role="to", order=0)
    foreign = factories.make_recipient(letter, foreign_minister(), role="to", order=1)
    for order, (name, title, signer, role) in enumerate(SIGNATORIES):
        org = factories.make_organization(
            name=name, short_name="", country="JP", email=f"org{order}@example.org"
        )
        factories.make_signatory(
            letter, org, role=role, order=order, signer_name=signer, signer_title=title
        )
    letter.touch()
    return letter, justice, foreign


def finalise(letter) -> None:
    """Through the sign-on workflow, each organisation's signer as it typed its name."""
    signing.circulate(letter=letter, by=None, deadline=timezone.now() + dt.timedelta(days=3))
    letter.refresh_from_db()
    for s in letter.signatories.filter(role=SignatoryRole.COSIGNER):
        signing.approve(
            token=s.token,
            content_hash=letter.content_hash,
            signer_name=s.signer_name,
            signer_title=s.signer_title,
            consent_to_publish=True,
        )
    lead = letter.signatories.get(role=SignatoryRole.LEAD)
    signing.approve_for_lead(
        signatory=lead, by=None, signer_name=lead.signer_name, signer_title=lead.signer_title
    )
    assert sending.finalise(letter=letter, by=None) == []
    letter.refresh_from_db()


def pages_of(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF-")
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages]


def in_order(text: str, *parts: str) -> bool:
    positions = [text.index(part) for part in parts]
    return positions == sorted(positions)


def assert_reads_as_a_japanese_letter(text: str, office: str, address: list[str]) -> None:
    # The window: 〒 and postal code, then prefecture, ward and street on one
    # line, the ministry, then the office and the name, family name first, 殿.
    assert in_order(text, *address, office)
    assert "JAPAN" not in text
    assert "2009年12月10日" in text
    assert "件名：難民認定制度と入国管理施設における収容に関する要望" in text
    # 拝啓 opens the first paragraph, 敬具 closes the last, before the signatures.
    assert "拝啓 時下ますますご清祥のこととお慶び申し上げます。" in text
    assert in_order(
        text, CLOSING, "敬具", "特定非営利活動法人 難民支援ネットワーク東京 代表理事 森田 愛子"
    )
    # Each organisation, then 「役職 氏名」.
    assert "一般社団法人 人権フォーラム関西 事務局長 佐藤 健一" in text
    assert "移住者と共に歩む会 共同代表 高橋 由美" in text
    # Nothing from the English greeting pattern, nor English labels.
    for latin in ("Dear", "Chiba", "Okada", "Re:", "Page", "cc:", "(signer"):
        assert latin not in text


def test_each_minister_s_copy_reads_as_a_japanese_letter():
    letter, justice, foreign = two_ministers_letter()
    copies = {
        "法務大臣 千葉景子殿": (justice, ["〒100-8977", "東京都千代田区霞が関1-1-1", "法務省"]),
        "外務大臣 岡田克也殿": (foreign, ["〒100-8919", "東京都千代田区霞が関2-2-1", "外務省"]),
    }
    for office, (recipient, address) in copies.items():
        pages = pages_of(printing.render_letter_pdf(letter, copy_for=recipient))
        text = " ".join(pages)
        assert_reads_as_a_japanese_letter(text, office, address)
        other = next(o for o in copies if o != office)
        assert other not in text  # each copy is addressed to its own minister only
        title = office.split()[0]
        assert all(f"{title} 宛 {n}/{len(pages)}ページ" in page for n, page in enumerate(pages, 1))


def test_finalised_the_two_copies_print_as_one_batch_each_to_its_minister():
    letter, _, _ = two_ministers_letter()
    finalise(letter)
    assert letter.status == "final"
    text = " ".join(pages_of(printing.document(letter, kind="all")[1]()))
    assert text.count("拝啓 時下") == 2 and text.count("敬具") == 2
    assert in_order(
        text, "法務大臣 千葉景子殿", "法務大臣 宛", "外務大臣 岡田克也殿", "外務大臣 宛"
    )
    # The frozen copies still read the Japanese way.
    for recipient in letter.recipients.all():
        assert recipient.snapshot_name in {"千葉景子殿", "岡田克也殿"}


def test_one_greeting_for_both_ministers_names_them_both_on_every_copy():
    letter, justice, foreign = two_ministers_letter(greeting_mode=GreetingMode.COMBINED)
    for recipient, window in ((justice, "〒100-8977"), (foreign, "〒100-8919")):
        text = " ".join(pages_of(printing.render_letter_pdf(letter, copy_for=recipient)))
        assert window in text
        # Both addressee lines, before the subject, then 拝啓.
        assert in_order(
            text, "2009年12月10日", "法務大臣 千葉景子殿 外務大臣 岡田克也殿", "件名：", "拝啓"
        )


def test_the_drafter_may_choose_a_more_formal_opening_and_its_close_follows():
    letter, justice, _ = two_ministers_letter(greeting="謹啓")
    text = " ".join(pages_of(printing.render_letter_pdf(letter, copy_for=justice)))
    assert "謹啓 時下" in text and in_order(text, CLOSING, "謹白")
    assert "拝啓" not in text and "敬具" not in text


def test_an_opening_and_closing_written_into_the_text_are_not_doubled():
    letter, justice, _ = two_ministers_letter(
        opening="拝啓　" + OPENING, closing=CLOSING + "\n\n敬具"
    )
    text = " ".join(pages_of(printing.render_letter_pdf(letter, copy_for=justice)))
    assert text.count("拝啓") == 1 and text.count("敬具") == 1


def test_the_editor_shows_the_japanese_greeting_not_the_address_book_s():
    letter, _, _ = two_ministers_letter()
    context = letter_context(letter)
    assert {c["greeting"] for c in context["copy_greetings"]} == {"拝啓"}
    letter.greeting_mode = GreetingMode.COMBINED
    assert letter_context(letter)["salutation"] == "法務大臣 千葉景子殿\n外務大臣 岡田克也殿\n拝啓"


def test_a_cc_is_listed_the_japanese_way():
    letter, justice, _ = two_ministers_letter()
    chief = ministry(
        "内閣官房長官", "内閣官房", "永田町1-6-1", "100-8968", ("Hirofumi", "Hirano", "平野 博文")
    )
    factories.make_recipient(letter, chief, role="cc")
    text = " ".join(pages_of(printing.render_letter_pdf(letter, copy_for=justice)))
    assert "写し送付先： 内閣官房 内閣官房長官 平野博文殿" in text


def test_the_letterhead_boxes_name_the_organisation_not_its_legal_form():
    names = [
        (name, monogram(factories.make_organization(name=name, short_name="")))
        for name, *_ in SIGNATORIES
    ]
    assert [m for _, m in names] == ["難民支援", "人権フォ", "移住者と"]


def test_a_coalition_s_list_of_signatories_is_counted_and_grouped_in_japanese():
    letter, justice, _ = two_ministers_letter(signatory_layout="list", signatory_grouping="country")
    for n in range(20):
        org = factories.make_organization(name=f"人権団体{n:02d}", short_name="", country="JP")
        factories.make_signatory(letter, org, order=10 + n)
    factories.make_signatory(
        letter,
        factories.make_organization(name="山田 花子", short_name="", kind="individual"),
        order=40,
        signer_name="山田 花子",
    )
    letter.touch()
    pages = pages_of(printing.render_letter_pdf(letter, copy_for=justice))
    text = " ".join(pages)
    assert "1か国の23団体と個人1名が署名" in text
    # The list is on page 2 (a band of names never breaks across pages), where
    # no letterhead repeats the names. Sorted by the names they are known by,
    # not by their legal forms; a long name wraps inside its column.
    assert in_order(pages[-1], "日本", "一般社団法人 人権フォーラム関", "人権団体00", "人権団体19")
    assert in_order(
        pages[-1], "人権団体19", "移住者と共に歩む会", "特定非営利活動法人", "個人 山田 花子"
    )
    # The letterhead's last box, in two lines.
    assert "ほか9団体（署名欄に記載）" in text.replace(" ", "")  # 24 less 15 boxes
    for english in ("Signed by", "Japan", "Individuals", "more, listed"):
        assert english not in text


def test_a_body_of_states_is_addressed_各位_and_an_office_nobody_holds_殿():
    letter, justice, _ = two_ministers_letter()
    council = factories.make_position(
        title="国連人権理事会理事国・オブザーバー国",
        institution="",
        country="UN",
        kind=PositionKind.COLLECTIVE,
        delivery=Delivery.EMAIL,
        email="hrc.members@example.org",
        address_lines="",
        locality="",
        postal_code="",
    )
    members = factories.make_recipient(letter, council, role="to", order=2)
    justice.position.terms.all().delete()
    copies = {
        r: pages_of(printing.render_letter_pdf(letter, copy_for=r))[0] for r in (members, justice)
    }
    assert "国連人権理事会理事国・オブザーバー国 各位" in copies[members]
    assert "法務大臣殿" in copies[justice] and "千葉" not in copies[justice]
    labels = pages_of(printing.document(letter, kind="labels")[1]())[0]
    assert "法務大臣殿" in labels and "国連人権理事会理事国・オブザーバー国 各位" in labels
    assert "JP-2009-JA · 宛先" in labels and "· To" not in labels
