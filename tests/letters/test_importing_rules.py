"""
The structure rules of importing (letters/importing.py), on real-shaped letters
in tests/letters/importing_samples/: what a drafter would otherwise retype.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from letters import importing
from letters.importing_reading import read_html

SAMPLES = Path(__file__).parent / "importing_samples"


def parse(name: str) -> dict:
    data = (SAMPLES / name).read_bytes()
    text = read_html(data) if name.endswith(".html") else data.decode()
    return importing.parse_letter(text)


def kinds(proposal: dict, kind: str) -> list[str]:
    return [block["text"] for block in proposal["blocks"] if block["kind"] == kind]


def recommendations(proposal: dict) -> list[tuple[str, str, str]]:
    return [
        (block["text"].split()[0], block["government"], block["third_state"])
        for block in proposal["blocks"]
        if block["kind"] == importing.RECOMMENDATION
    ]


def test_letter_to_japan_has_its_headings_asks_and_governments():
    proposal = parse("japan_headings_bullets.txt")

    assert proposal["subject"] == "Human rights in North Korea and the policies of Japan"
    assert proposal["date"] == "2009-12-10"
    assert proposal["greeting"] == "Dear Prime Minister Hatoyama,"
    assert kinds(proposal, importing.HEADING) == ["Human rights diplomacy", "Food aid", "Refugees"]
    assert len(kinds(proposal, importing.OPENING)) == 2
    assert recommendations(proposal) == [
        ("Raise", "JP", "KP"),
        ("Press", "JP", "CN"),
        # Naming a state is not asking to act upon it.
        ("Co-sponsor", "JP", ""),
        ("Make", "JP", ""),
        ("Encourage", "JP", "KR"),
        ("Grant", "JP", ""),
        ("Urge", "JP", "CN"),
    ]
    assert "We recommend that the Government of Japan:" in kinds(proposal, importing.PARAGRAPH)
    assert kinds(proposal, importing.CLOSING)[-1] == "Sincerely,"


def test_addressee_and_cc_blocks_after_the_signatures_are_split_into_title_name_and_address():
    proposal = parse("japan_headings_bullets.txt")

    to, *cc = proposal["addressees"]
    assert to == {
        "role": "to",
        "name": "Mr. Yukio Hatoyama",
        "title": "Prime Minister of Japan",
        "lines": [
            "Cabinet Public Relations Office, Cabinet Secretariat",
            "1-6-1 Nagata-cho, Chiyoda-ku",
            "Tokyo 100-8968",
            "Japan",
        ],
        "country": "JP",
    }
    assert [(a["role"], a["title"]) for a in cc] == [
        ("cc", "Minister for Foreign Affairs"),
        ("cc", "Director-General, Immigration Bureau"),
        ("cc", "Commandant, Japan Coast Guard"),
    ]
    assert cc[0]["lines"] == ["2-2-1 Kasumigaseki, Chiyoda-ku", "Tokyo 100-8919"]


def test_four_signature_blocks_give_name_title_and_organisation():
    proposal = parse("japan_headings_bullets.txt")

    assert proposal["signatories"][1] == {
        "name": "Daniel Moore",
        "title": "Executive Director",
        "organization": "Asia Liberty Watch",
    }
    assert [s["organization"] for s in proposal["signatories"]] == [
        "Rights Now Japan",
        "Asia Liberty Watch",
        "Network for North Korean Refugees",
        "Freedom Forum International",
    ]


def test_numbered_asks_without_headings_start_a_section_without_heading():
    proposal = parse("numbered_no_headings.txt")

    assert proposal["subject"] == ""
    assert kinds(proposal, importing.HEADING) == [""]
    assert recommendations(proposal) == [
        ("Raise", "SE", "ER"),
        ("Support", "SE", ""),
        ("Offer", "SE", ""),
    ]
    assert proposal["signatories"] == [
        {
            "name": "Lena Ahmed",
            "title": "Programme Director",
            "organization": "Press Freedom Action",
        }
    ]


def test_two_addressees_a_cc_before_the_signatures_and_ten_organisations():
    proposal = parse("several_addressees_cc_before.txt")

    assert proposal["subject"] == "Joint letter on migrant workers' rights"
    assert [(a["role"], a["title"]) for a in proposal["addressees"]] == [
        ("to", "Minister of Labour"),
        ("to", "Minister of Foreign Affairs"),
        ("cc", "Director of Migration"),
    ]
    assert proposal["addressees"][2]["name"] == "Mr. Luis Mora"
    assert len(proposal["signatories"]) == 10
    assert proposal["signatories"][9]["organization"] == "Rural Development Association"
    assert recommendations(proposal)[1] == ("Press", "CR", "NI")
    # Bullets under a heading with no lead-in are asks too, and the text after them stays.
    assert [t.split()[0] for t in kinds(proposal, importing.RECOMMENDATION)][2:] == [
        "Double",
        "Publish",
    ]
    assert "These steps would bring practice in line with the law already in force." in kinds(
        proposal, importing.PARAGRAPH
    )


def test_collective_addressee_and_a_numbered_list_of_signing_organisations():
    proposal = parse("coalition_excellencies.txt")

    assert proposal["greeting"] == "Excellencies,"
    assert proposal["addressees"][0]["title"].startswith("Permanent Representatives")
    assert [s["organization"] for s in proposal["signatories"]] == [
        "Asia Justice Coalition",
        "Burma Rights Network",
        "Refugee Relief International",
    ]
    assert [third for _, _, third in recommendations(proposal)] == ["", "MM", "TH"]
    # Text after a section's recommendations is kept in that section.
    paragraphs = kinds(proposal, importing.PARAGRAPH)
    assert "Without renewed scrutiny, the situation will deteriorate further." in paragraphs


def test_hard_wrapped_lines_from_a_pdf_join_into_paragraphs():
    proposal = parse("wrapped_pdf_text.txt")

    assert kinds(proposal, importing.OPENING) == [
        "We write to express our concern about the continued detention of children in "
        "immigration removal centres, despite repeated promises to end the practice."
    ]
    assert kinds(proposal, importing.RECOMMENDATION)[0] == (
        "End the immigration detention of children in all circumstances, without exception."
    )
    assert recommendations(proposal) == [("End", "GB", ""), ("Publish", "GB", "")]
    assert proposal["signatories"][0]["organization"] == "Children's Rights Alliance"


def test_web_page_furniture_is_left_out():
    proposal = parse("web_page.html")
    everything = str(proposal)

    for furniture in [
        "Skip to main content",
        "cookies",
        "Donate",
        "About us",
        "©",
        "Africa",
        "Related news",
        "Privacy",
        "Home",
    ]:
        assert furniture not in everything
    assert proposal["subject"] == "Joint letter to Prime Minister Hatoyama on North Korea"
    assert [a["title"] for a in proposal["addressees"]] == [
        "Prime Minister of Japan",
        "Minister for Foreign Affairs",
    ]
    assert recommendations(proposal) == [
        ("Raise", "JP", "KP"),
        ("Press", "JP", "CN"),
        ("Make", "JP", ""),
    ]
    assert [s["organization"] for s in proposal["signatories"]] == [
        "Rights Now Japan",
        "Asia Liberty Watch",
    ]


def test_a_letter_in_japanese_with_its_address_greeting_asks_and_signatures():
    proposal = parse("japanese_letter.txt")

    assert proposal["language"] == "ja"
    assert proposal["date"] == "2009-12-10"
    assert proposal["greeting"] == "拝啓"
    assert proposal["subject"] == "北朝鮮の人権状況と日本の政策についての要請"
    assert proposal["addressees"] == [
        {
            "role": "to",
            "name": "鳩山由紀夫 殿",
            "title": "内閣総理大臣",
            "lines": ["〒100-8968", "東京都千代田区永田町1-6-1", "内閣官房内閣広報室"],
            "country": "JP",
        }
    ]
    assert kinds(proposal, importing.HEADING) == ["人権外交", "難民"]
    asks = [
        (b["government"], b["third_state"])
        for b in proposal["blocks"]
        if b["kind"] == importing.RECOMMENDATION
    ]
    assert asks == [("JP", "KP"), ("JP", "CN"), ("JP", "")]
    assert kinds(proposal, importing.CLOSING)[-1] == "敬具"
    # Japanese order: organisation, title, name.
    assert proposal["signatories"][0] == {
        "name": "森田愛子",
        "title": "東京事務所長",
        "organization": "アジア人権モニター",
    }


@pytest.mark.parametrize(
    "text, government, third",
    [
        ("Press China to stop forced returns.", "JP", "CN"),
        ("Raise abductions with the DPRK.", "JP", "KP"),
        ("Help North Korean refugees settle.", "JP", ""),
        ("Urge the North Korean authorities to stop.", "JP", "KP"),
        ("Fund the food programme for North Korea.", "JP", ""),
        ("Raise it in every bilateral meeting with its government in North Korea.", "JP", "KP"),
        ("Urge Papua New Guinea to close the centre.", "JP", "PG"),
    ],
)
def test_governments_of_a_recommendation(text, government, third):
    assert importing.recommendation_governments(text, lead_in="", default="JP") == (
        government,
        third,
    )


def test_the_lead_in_names_the_addressed_government():
    assert importing.recommendation_governments(
        "Press China to act.", lead_in="We recommend that South Korea:", default="JP"
    ) == ("KR", "CN")


@pytest.mark.parametrize("text", ["", "   \n  "])
def test_an_empty_text_is_refused(text):
    with pytest.raises(importing.NotALetter, match="no text"):
        importing.parse_letter(text)


def test_a_page_with_no_letter_is_refused():
    page = "Home\nNews\nOur annual report is out.\nIt covers the work of the year.\n© 2020"
    with pytest.raises(importing.NotALetter, match="No letter was recognised"):
        importing.parse_letter(page)


def test_corrections_merge_split_move_and_change_kind():
    blocks = [
        {"kind": "heading", "text": "A"},
        {"kind": "paragraph", "text": "One half"},
        {"kind": "paragraph", "text": "and the other."},
        {"kind": "heading", "text": "B"},
    ]
    importing.merge_with_next(blocks, 1)
    assert blocks[1]["text"] == "One half and the other."
    importing.split_block(blocks, 1, "One half\n\nand the other.")
    assert [b["text"] for b in blocks] == ["A", "One half", "and the other.", "B"]
    assert importing.move_block(blocks, 2, "down") == 3
    assert [b["text"] for b in blocks] == ["A", "One half", "B", "and the other."]
    importing.set_kind(blocks, 1, "recommendation", default_government="JP")
    assert blocks[1] | {} == {
        "kind": "recommendation",
        "text": "One half",
        "government": "JP",
        "third_state": "",
    }


@pytest.mark.parametrize(
    "line",
    [
        "Search and rescue at sea must not stop at the border of a search region.",
        "Privacy rights of detainees are not respected.",
        "Language barriers keep refugees from the asylum procedure.",
        "Food donations now reach fewer people than last year.",
        "Copyright law is not the subject of this letter.",
    ],
)
def test_sentences_that_start_like_page_furniture_stay(line):
    assert not importing.is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "Skip to main content",
        "Search",
        "Donate now",
        "© 2024 Rights Now",
        "Privacy policy",
        "We use cookies to improve your experience.",
        "Home › News › Letters",
        "Asia and the Pacific",
    ],
)
def test_page_furniture_is_recognised(line):
    assert importing.is_furniture(line)
