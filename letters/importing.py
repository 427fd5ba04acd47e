"""
The structure rules for importing a letter that was already written: from its
plain text to a proposal (subject, addressees and cc's, greeting, the body as a
list of blocks, closing, signature blocks). Pure functions over strings, no
database: the review page and the save step read the proposal as JSON.

The body is one flat list of blocks, each with a kind:

- "opening": a paragraph of the letter's opening text;
- "heading": starts a section ("" for a section without a heading);
- "paragraph": a section's text (before its recommendations, or after them);
- "recommendation": one ask, with the government it addresses and the third state;
- "closing": a paragraph of the closing text.

A flat list keeps every correction on the review page small: moving a block
past a heading moves it into the next section, changing its kind turns a
paragraph into a recommendation and back.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from django_countries import countries

OPENING = "opening"
HEADING = "heading"
PARAGRAPH = "paragraph"
RECOMMENDATION = "recommendation"
CLOSING = "closing"
KINDS = {
    OPENING: "Opening",
    HEADING: "Section heading",
    PARAGRAPH: "Paragraph",
    RECOMMENDATION: "Recommendation",
    CLOSING: "Closing",
}
MAX_BLOCKS = 400
# Beyond these, a paste is not one letter (and matching each costs a pass over the book).
MAX_ADDRESSEES = 40
MAX_SIGNATORIES = 300
MAX_TEXT = 200_000


class NotALetter(ValueError):
    """The text has nothing that reads like a letter; the message says what was missing."""


# -- page furniture ---------------------------------------------------------

# Whole lines only, and short ones (see is_furniture): a paragraph that merely
# starts with "Search", "Privacy" or "Language" stays in the letter.
FURNITURE = re.compile(
    r"""^(
        skip\ to\ (main\ )?content | skip\ navigation | main\ menu | menu | close |
        search(\ this\ site|\ for)?:? | home | news | about(\ us)? | contact(\ us)? | our\ work |
        what\ we\ do | reports? | campaigns? | publications | get\ involved | take\ action |
        join\ us | sign\ up(\ for\ .*)? | subscribe(\ to\ .*)? | newsletter |
        share(\ this(\ page|\ article)?)?:? | facebook | twitter | x | linkedin | whatsapp |
        e-?mail | print | back\ to\ top | read\ more.* | related\ (content|news|posts?).* |
        (africa | americas | asia(\ and\ (the\ )?pacific)? | europe(\ and\ central\ asia)? |
         middle\ east(\ and\ north\ africa)? | global | regions?:?)|
        donate(\ now|\ today)?.* | make\ a\ donation.* | support\ our\ work.* | give\ now.* |
        please\ (donate|give|support\ us).* |
        (©|\(c\)|copyright\ (©\ ?)?\d{4}).* | .*all\ rights\ reserved\.? |
        privacy(\ policy|\ notice)? | terms\ of\ use | cookie\ (policy|settings) |
        (we|this\ (web)?site)\ uses?\ cookies.* | accept(\ all)?(\ cookies)? | reject\ all |
        manage\ (preferences|settings) |
        languages?:? | english | français | español | 日本語 |
        (home\ )?(›|»|>|/)\ .* | home\ (›|»|>|/).* | posted\ (on|in)\ .* | tags?:.* |
        download\ (the\ )?(pdf|letter).* | (back\ to\ )?(the\ )?letter\ page | back |
        print\ this\ page | \d+\ min(ute)?\ read
    )$""",
    re.IGNORECASE | re.VERBOSE,
)


def is_furniture(line: str) -> bool:
    """A line of the web page around the letter (menus, donations, cookies, copyright)."""
    line = line.strip()
    return len(line) <= 200 and bool(FURNITURE.match(line))


# -- countries and governments ---------------------------------------------

ALIASES = {
    "KP": [
        "North Korea",
        "DPRK",
        "D.P.R.K.",
        "Democratic People's Republic of Korea",
        "Democratic People’s Republic of Korea",
    ],
    "KR": ["South Korea", "Republic of Korea", "ROK"],
    "CN": ["China", "People's Republic of China", "People’s Republic of China", "PRC"],
    "US": ["United States", "United States of America", "USA", "U.S."],
    "GB": ["United Kingdom", "UK", "Britain", "Great Britain"],
    "RU": ["Russia", "Russian Federation"],
    "MM": ["Myanmar", "Burma"],
    "TR": ["Turkey", "Türkiye"],
    "VN": ["Vietnam", "Viet Nam"],
    "IR": ["Iran"],
    "SY": ["Syria"],
    "LA": ["Laos"],
    "TW": ["Taiwan"],
}
# "The North Korean government", "the Chinese authorities" name a state too.
DEMONYMS = {
    "KP": ["North Korean"],
    "KR": ["South Korean"],
    "CN": ["Chinese"],
    "JP": ["Japanese"],
    "RU": ["Russian"],
    "MM": ["Burmese", "Myanmar"],
    "US": ["American", "US", "U.S."],
    "IR": ["Iranian"],
    "SY": ["Syrian"],
    "VN": ["Vietnamese"],
    "TH": ["Thai"],
    "IN": ["Indian"],
    "PK": ["Pakistani"],
    "SA": ["Saudi"],
    "ER": ["Eritrean"],
}
STATE_NOUNS = ["government", "authorities", "regime", "leadership", "officials"]
# Asking the addressed government to act upon another state.
PRESSING = re.compile(
    r"\b(press|pressure|urge|call on|call upon|encourage|ask|persuade|engage|negotiate with|"
    r"demand|request|raise\b[^.;]{0,120}?\bwith|bilateral\b[^.;]{0,80}?\bwith)\b",
    re.IGNORECASE,
)
# Also written this way: "the Government of Japan", "your government".
GOVERNMENT_OF = re.compile(r"\bgovernment\s+of\s+(the\s+)?", re.IGNORECASE)


@cache
def _country_pattern() -> tuple[re.Pattern, dict[str, str]]:
    names: dict[str, str] = {}
    for code, name in countries:
        names[str(name)] = code
    for code, aliases in ALIASES.items():
        for alias in aliases:
            names[alias] = code
    for code, demonyms in DEMONYMS.items():
        for demonym in demonyms:
            for noun in STATE_NOUNS:
                names[f"{demonym} {noun}"] = code
    # Longest first, so "Papua New Guinea" wins over "Guinea"; word boundaries
    # keep demonyms out ("North Korean refugees" names no state).
    alternatives = sorted(names, key=len, reverse=True)
    body = "|".join(re.escape(name) for name in alternatives)
    pattern = re.compile(rf"(?<![\w.])(?:the\s+)?({body})(?![\w’'-])")
    return pattern, names


# Names in Japanese text, where there are no spaces to mark where a word ends.
CJK_NAMES = {
    "北朝鮮": "KP",
    "朝鮮民主主義人民共和国": "KP",
    "韓国": "KR",
    "大韓民国": "KR",
    "中国": "CN",
    "中華人民共和国": "CN",
    "日本": "JP",
    "ロシア": "RU",
    "米国": "US",
    "アメリカ": "US",
    "ミャンマー": "MM",
    "タイ": "TH",
}
CJK_PATTERN = re.compile("|".join(sorted(CJK_NAMES, key=len, reverse=True)))


def find_governments(text: str) -> list[str]:
    """
    The governments a text names, in order of first mention, as codes. The one
    place that knows how governments are written: teach it new names here.
    """
    pattern, names = _country_pattern()
    mentions = [(m.start(), names[m.group(1)]) for m in pattern.finditer(text)]
    mentions += [(m.start(), CJK_NAMES[m.group(0)]) for m in CJK_PATTERN.finditer(text)]
    found: list[str] = []
    for _, code in sorted(mentions):
        if code not in found:
            found.append(code)
    return found


def recommendation_governments(text: str, *, lead_in: str, default: str) -> tuple[str, str]:
    """
    (addressed government, third state) of one recommendation: the government
    the lead-in names ("We recommend that Japan:"), else the one the text starts
    by naming as "the Government of X", else `default` (the addressee's); the
    third state is the first other state the text names ("Press China to …").
    """
    addressed = next(iter(find_governments(lead_in)), "")
    if not addressed:
        named = GOVERNMENT_OF.search(text)
        if named and named.start() < 40:
            addressed = next(iter(find_governments(text[named.start() :])), "")
    addressed = addressed or default
    return addressed, third_state(text, addressed)


JA_PRESSING = re.compile(
    "(" + CJK_PATTERN.pattern + ")(?:政府|当局)?(?:に対し|に働きかけ|に求め|に要請|に圧力)"
)


def third_state(text: str, addressed: str) -> str:
    """
    The state a recommendation asks `addressed` to act upon: the one named right
    after a verb of pressing ("Press China to …", "raise … with the DPRK"), or any
    other state named in an ask about bilateral relations. Naming a state as the
    subject ("an inquiry into North Korea") is not asking to act upon it.
    """
    for match in PRESSING.finditer(text):
        after = text[match.end() : match.end() + 60]
        found = [code for code in find_governments(after) if code != addressed]
        if found and after.lstrip().lower().startswith(("the ", *_starts(after))):
            return found[0]
    pressed = JA_PRESSING.search(text)
    if pressed and CJK_NAMES[pressed.group(1)] != addressed:
        return CJK_NAMES[pressed.group(1)]
    if re.search(r"\bbilateral\b|二国間", text, re.IGNORECASE):
        return next((code for code in find_governments(text) if code != addressed), "")
    return ""


def _starts(after: str) -> tuple[str, ...]:
    """The first word after the verb, when it begins the name of a state."""
    words = after.split()
    return (words[0].lower(),) if words and find_governments(" ".join(words[:6])) else ()


# -- lines -----------------------------------------------------------------

HONORIFIC = re.compile(
    r"^(H\.?\s?E\.?|His Excellency|Her Excellency|Their Excellencies|The Honou?rable|Hon\.?|"
    r"Rt\.? Hon\.?|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|Prof\.?|Professor|Sir|Dame|Madam|Ambassador|"
    r"Admiral|General|Judge|Senator|Sen\.|Rep\.)\s+",
    re.IGNORECASE,
)
OFFICE = re.compile(
    r"\b(Prime Minister|Minister|President|Secretary|Director|Director-General|Commissioner|"
    r"Ambassador|Chair|Chairman|Chairperson|Chairwoman|Commandant|Chief|Governor|Premier|"
    r"Chancellor|Rapporteur|Speaker|Representatives?|Envoy|Head of|Mayor|High Commissioner|"
    r"Member States|Permanent Missions?|Delegations?|"
    r"首相|総理大臣|大臣|長官|局長)\b"
)
ORGANIZATION = re.compile(
    r"\b(International|Watch|Network|Association|Foundation|Council|Center|Centre|Committee|"
    r"Coalition|Alliance|Institute|Society|Union|Federation|Forum|League|Campaign|Initiative|"
    r"Project|Group|Trust|Fund|Organi[sz]ation|Movement|Aid|Relief|Amnesty|Rights|Freedom|"
    r"Action|Solidarity|Partners|Service|Clinic|Lawyers|Advocates|NGO)\b"
)
DATE_PATTERNS = [
    (re.compile(r"^(\d{1,2})\s+([A-Z][a-z]+)\s*,?\s+(\d{4})$"), "dmy"),
    (re.compile(r"^([A-Z][a-z]+)\s+(\d{1,2}),?\s+(\d{4})$"), "mdy"),
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "iso"),
    (re.compile(r"^(\d{4})年\s*(\d{1,2})月\s*(\d{1,2})日$"), "ja"),
]
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
SUBJECT = re.compile(r"^(Re|RE|Subject|SUBJECT|Subj\.?|Objet|件名)\s*[:：]\s*(.+)$")
TO_LABEL = re.compile(r"^(To|TO|Addressees?)\s*:\s*(.*)$")
CC_LABEL = re.compile(r"^(cc|CC|Cc|c\.c\.|Copy to|Copies to|Copied to|写し)\s*[:：.]?\s*(.*)$")
GREETING = re.compile(
    r"^(Dear\b|Your Excellenc|Excellenc|To whom it may concern|Honou?rable\b|Madam\b|Sir\b|拝啓)"
)
CLOSING_FORMULA = re.compile(
    r"^(Yours sincerely|Sincerely( yours)?|Yours faithfully|Yours truly|Respectfully( yours)?|"
    r"Yours respectfully|Kind regards|Best regards|With best regards|Regards|With respect|"
    r"Please accept[^.]*|Yours|敬具)\s*[,.]?$",
    re.IGNORECASE,
)
CLOSING_PARAGRAPH = re.compile(
    r"^(We|I)\s+(look forward|thank you|would welcome|remain|would be grateful|stand ready|"
    r"would appreciate|hope)|^Thank you|^Please do not hesitate|^Please accept|^ご検討|"
    r"よろしくお願い",
    re.IGNORECASE,
)
SIGNATORIES_LABEL = re.compile(
    r"^(Signed( by)?|Signatories|Signatory organi[sz]ations|Endorsed by|Co-?signed by)\s*:?\s*$",
    re.IGNORECASE,
)
# Japanese list markers need no space after them.
BULLET = re.compile(
    r"^\s*(([•\-*·▪◦–—●○■□➢➤►]|\(?\d{1,3}[.)]|\(?[a-z][.)]|\([ivx]+\))\s+|[・◆◇]\s*)"
)
NUMBERED_SIGNATORY = re.compile(r"^\s*\d{1,4}[.)]\s+")
RECOMMENDING = re.compile(
    r"\b(recommend|recommends|urge|urges|call on|calls on|call upon|calls upon|ask|asks|"
    r"request|requests|encourage|encourages|should|appeal)\b|求め|要請|要望|提言|勧告",
    re.IGNORECASE,
)
LONE_MARKER = re.compile(r"^([•·▪◦●○■□➢➤►*-]|\(?\d{1,3}[.)]|\(?[a-z][.)])$")
PAGE_NUMBER = re.compile(r"\bPage\s+\d+\s*(of|/)\s*\d+\b|^[-–]?\s*\d{1,3}\s*[-–]?$", re.IGNORECASE)
SENTENCE_END = re.compile(r"[.!?:;。」”\")]$")


def _clean_lines(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    text = text.replace("\u200b", "").replace("\t", " ")
    lines = [re.sub(r" {2,}", " ", line).strip() for line in text.split("\n")]
    running = _running_heads(lines)
    # Lines that are only a list marker come from PDFs that print markers apart.
    return [
        ""
        if is_furniture(line)
        or LONE_MARKER.match(line)
        or PAGE_NUMBER.search(line)
        or line in running
        else line
        for line in lines
    ]


def _running_heads(lines: Sequence[str]) -> set[str]:
    """Lines printed on every page: repeated, next to a page number."""
    near_numbers = {
        lines[j]
        for i, line in enumerate(lines)
        if PAGE_NUMBER.search(line)
        for j in range(max(0, i - 2), min(len(lines), i + 3))
        if lines[j] and not PAGE_NUMBER.search(lines[j])
    }
    return {line for line in near_numbers if lines.count(line) > 1}


def _chunks(lines: Sequence[str]) -> list[list[str]]:
    """Runs of non-blank lines."""
    chunks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            chunks.append(current)
            current = []
    if current:
        chunks.append(current)
    return chunks


def parse_date(line: str) -> dt.date | None:
    for pattern, shape in DATE_PATTERNS:
        match = pattern.match(line.strip())
        if not match:
            continue
        a, b, c = match.groups()
        try:
            if shape == "dmy" and b.lower() in MONTHS:
                return dt.date(int(c), MONTHS[b.lower()], int(a))
            if shape == "mdy" and a.lower() in MONTHS:
                return dt.date(int(c), MONTHS[a.lower()], int(b))
            if shape in ("iso", "ja"):
                return dt.date(int(a), int(b), int(c))
        except ValueError:
            return None
    return None


# 殿 or 様 after a name in a Japanese address; an office word ending the line.
JA_PERSON = re.compile(r"\S\s*(殿|様)$")
JA_OFFICE = re.compile(r"(総理大臣|大臣|長官|局長|部長|知事|大使|委員長|議長|首相|司令官)$")
JA_ORGANIZATION = re.compile(
    r"(ネットワーク|モニター|ウォッチ|協会|連盟|委員会|センター|基金|財団|の会|機構|連合|"
    r"フォーラム|アムネスティ)"
)


def is_person(line: str) -> bool:
    return (bool(HONORIFIC.match(line)) or bool(JA_PERSON.search(line))) and len(line) < 120


def is_office(line: str) -> bool:
    return bool(OFFICE.search(line) or JA_OFFICE.search(line)) and len(line) < 160


def is_organization(line: str, known: Iterable[str] = ()) -> bool:
    lowered = line.lower()
    return bool(ORGANIZATION.search(line) or JA_ORGANIZATION.search(line)) or any(
        lowered == name.lower() for name in known
    )


# -- addressee and signature blocks ----------------------------------------


def _split_people(lines: Sequence[str]) -> list[list[str]]:
    """Lines of several address blocks written without blank lines between them."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        has_person = any(is_person(x) for x in current)
        starts_new = (is_person(line) and has_person) or (
            is_office(line) and has_person and len(current) > 2
        )
        if current and starts_new:
            blocks.append(current)
            current = []
        current.append(line)
    if current:
        blocks.append(current)
    return blocks


def addressee_block(lines: Sequence[str], role: str) -> dict:
    """{role, name, title, lines, country}: the person, the office and the address below."""
    name = next((line for line in lines if is_person(line)), "")
    title = next((line for line in lines if line != name and is_office(line)), "")
    rest = [line for line in lines if line not in (name, title)]
    if "," in name and not title:
        # "Mr. Luis Mora, Director of Migration" on one line.
        name, _, after = name.partition(",")
        title = after.strip()
    if not title and rest and not name:
        title, rest = rest[0], rest[1:]
    governments = find_governments(" ".join(lines))
    if not governments and any(line.startswith("〒") for line in lines):
        governments = ["JP"]
    return {
        "role": role,
        "name": name[:200],
        "title": title[:300],
        "lines": [line[:200] for line in rest[:12]],
        "country": governments[-1] if governments else "",
    }


INSTITUTION = re.compile(
    r"\b(Ministry|Office|Secretariat|Department|Agency|Bureau|Commission|Cabinet|Embassy|"
    r"Permanent Mission|Parliament|Assembly|Coast Guard|Services?|Authority|Directorate|"
    r"Presidency|Chancellery|Government)\b|(省|庁|局|官邸|内閣)"
)


def office_from_addressee(addressee: dict, default_country: str) -> dict:
    """
    A new office prefilled from an addressee block the address book lacks:
    {title, institution, country, address_lines, holder}. The title drops
    "of <its country>" ("Prime Minister of Japan" is the Prime Minister of
    Japan's office); the first line naming a ministry or office is the
    institution (or what follows the title's last comma); a last line naming
    the country is left to the country field.
    """
    country = addressee.get("country") or default_country
    name = countries.name(country) if country else ""
    title = addressee.get("title") or addressee.get("name") or ""
    if name:
        title = re.sub(rf",?\s+(of|for)\s+(the\s+)?{re.escape(name)}$", "", title, flags=re.I)
    lines = list(addressee.get("lines", []))
    if lines and name and lines[-1].strip().lower() == name.lower():
        lines.pop()
    institution = next((line for line in lines if INSTITUTION.search(line)), "")
    if institution:
        lines.remove(institution)
    elif "," in title and INSTITUTION.search(title.rpartition(",")[2]):
        # "Director-General, Immigration Bureau" on one line.
        title, _, institution = (part.strip() for part in title.rpartition(","))
    return {
        "title": title[:200],
        "institution": institution[:200],
        "country": country,
        "address_lines": "\n".join(lines)[:1000],
        "holder": addressee.get("name", "")[:200],
    }


def _signature_blocks(lines: Sequence[str], known: Sequence[str]) -> list[dict]:
    """
    Signature blocks: each ends with its organisation's line, or, in Japanese
    order, starts with it (organisation, title, name).
    """
    blocks: list[dict] = []
    rest: list[str] = []
    for chunk in _chunks(lines):
        org_first = 1 < len(chunk) <= 4 and is_organization(chunk[0], known)
        if org_first and not is_organization(chunk[-1], known):
            blocks.append(
                {
                    "name": chunk[-1][:200],
                    "title": ", ".join(chunk[1:-1])[:200],
                    "organization": chunk[0][:200],
                }
            )
        else:
            rest += [*chunk, ""]
    return blocks + _signature_lines(rest, known)


def _signature_lines(lines: Sequence[str], known: Sequence[str]) -> list[dict]:
    blocks: list[dict] = []
    current: list[str] = []

    def close(organization: str) -> None:
        name = current[0] if current and current[0] != organization else ""
        title = ", ".join(current[1:])
        blocks.append({"name": name[:200], "title": title[:200], "organization": organization})
        current.clear()

    for line in lines:
        if not line:
            if current:
                close(current.pop())
            continue
        if SIGNATORIES_LABEL.match(line):
            continue
        if NUMBERED_SIGNATORY.match(line):
            # A coalition's numbered list: organisations only.
            close(NUMBERED_SIGNATORY.sub("", line)[:200])
            continue
        if is_organization(line, known) and not is_person(line) and not is_office(line):
            close(line[:200])
            continue
        current.append(line)
    if current:
        close(current.pop())
    return [block for block in blocks if block["organization"]]


# -- body ------------------------------------------------------------------


def _paragraphs(chunk: Sequence[str]) -> list[str]:
    """
    One chunk (lines without a blank between them) as paragraphs: a bullet
    starts a new one; a line joins the one before when that one does not end a
    sentence (hard-wrapped text from PDFs) or when it starts in lower case.
    """
    paragraphs: list[str] = []
    for line in chunk:
        joins = (
            paragraphs
            and not BULLET.match(line)
            and (not SENTENCE_END.search(paragraphs[-1]) or line[:1].islower())
            # A short line before a capital is a heading, not a wrapped line.
            and not (
                len(paragraphs[-1]) < 60 and _is_heading(paragraphs[-1]) and not line[:1].islower()
            )
        )
        if joins and paragraphs[-1].endswith(("\u2010", "\u00ad")) and line[:1].islower():
            # A word hyphenated at the end of a printed line.
            paragraphs[-1] = f"{paragraphs[-1][:-1]}{line}"
        elif joins:
            paragraphs[-1] = f"{paragraphs[-1]} {line}"
        else:
            paragraphs.append(line)
    return paragraphs


def _is_heading(text: str) -> bool:
    words = text.split()
    return (
        0 < len(words) <= 14
        and len(text) <= 120
        and not BULLET.match(text)
        and not re.search(r"[.,;:!?。、：]$", text)
        and (
            text[:1].isupper()
            or not text[:1].isascii()
            or bool(re.match(r"^([IVX]+|\d+)[.)]\s", text))
        )
    )


@dataclass
class _Body:
    default_government: str
    blocks: list[dict]

    def add(self, kind: str, text: str, **extra) -> None:
        if len(self.blocks) < MAX_BLOCKS:
            self.blocks.append({"kind": kind, "text": text[:20_000], **extra})


IMPERATIVE = re.compile(
    r"^(Press|Ensure|Urge|Raise|Call|Provide|Ratify|Adopt|Establish|Allow|Grant|Stop|End|Release|"
    r"Support|Take|Make|Use|Include|Consider|Continue|Increase|Publicly|Engage|Investigate|Repeal|"
    r"Amend|Protect|Guarantee|Refrain|Cease|Abolish|Invite|Accept|Implement|Respect|Work|"
    r"Promote|Request|Seek|Facilitate|Cooperate|Extend|Review|Restore|Lift|Commit|Fund|Do not|"
    r"Publish|Double|Ban|Halt|Suspend|Withdraw|Reform|Train|Monitor|Allocate|Reinstate)\b"
)


NOT_IMPERATIVE = re.compile(
    r"^(The|This|These|That|Those|We|Our|I|It|Its|They|Their|There|In|On|At|For|With|Without|"
    r"As|If|When|While|Since|Such|Some|Many|Most|All|Any|No|A|An|One|Each|Every|Despite|"
    r"Although|However|Yet|But|And|Or|So|Thus|Given|Over|Under|After|Before|By|From|To|Of|"
    r"Japan|Your|You|He|She|Mr|Ms|Dr)\b"
)


def _asks(text: str) -> bool:
    """An unbulleted paragraph in a list of asks: it starts with a verb, not a sentence."""
    if CLOSING_PARAGRAPH.match(text):
        return False
    if IMPERATIVE.match(text):
        return True
    first = text.split(maxsplit=1)[0] if text.split() else ""
    return (
        first[:1].isupper()
        and not NOT_IMPERATIVE.match(text)
        and not first.endswith(("s", "ed", ","))
        and not find_governments(first)
        and len(text.split()) > 3
    )


def _is_lead_in(text: str) -> bool:
    """ "We recommend that Japan:", or in Japanese "…以下を求めます。"."""
    return text.endswith((":", "：")) or (text.endswith("。") and "以下" in text)


def _body_blocks(chunks: list[list[str]], default_government: str) -> list[dict]:
    body = _Body(default_government, [])
    lead_in = ""
    seen_section = False
    paragraphs = [p for chunk in chunks for p in _paragraphs(chunk) if p]
    for index, text in enumerate(paragraphs):
        if len(body.blocks) >= MAX_BLOCKS:
            break
        nxt = paragraphs[index + 1] if index + 1 < len(paragraphs) else ""
        if not BULLET.match(text) and _is_heading(text) and nxt and not _is_heading(nxt):
            body.add(HEADING, re.sub(r"^([IVX]+|\d+)[.)]\s+", "", text))
            seen_section, lead_in = True, ""
            continue
        after_ask = bool(body.blocks) and body.blocks[-1]["kind"] == RECOMMENDATION
        if BULLET.match(text) or ((after_ask or RECOMMENDING.search(lead_in)) and _asks(text)):
            # PDFs often lose the bullets: an imperative after a lead-in is an ask too.
            item = BULLET.sub("", text, count=1).strip()
            asks = any(b["kind"] == RECOMMENDATION for b in body.blocks)
            if asks or RECOMMENDING.search(lead_in) or IMPERATIVE.match(item):
                government, third = recommendation_governments(
                    item, lead_in=lead_in, default=default_government
                )
                if not seen_section:
                    body.add(HEADING, "")
                    seen_section = True
                body.add(RECOMMENDATION, item, government=government, third_state=third)
                continue
            body.add(PARAGRAPH if seen_section else OPENING, text)
            continue
        if text.endswith(":") and BULLET.match(nxt) and not seen_section:
            # The first list of asks starts the first section, headed or not.
            body.add(HEADING, "")
            seen_section = True
        lead_in = text if _is_lead_in(text) else ""
        body.add(PARAGRAPH if seen_section else OPENING, text)
    _mark_closing(body.blocks)
    return body.blocks


def _mark_closing(blocks: list[dict]) -> None:
    """Paragraphs after the last recommendation that thank or look forward are the closing."""
    last_rec = max((i for i, b in enumerate(blocks) if b["kind"] == RECOMMENDATION), default=-1)
    closing = False
    for block in blocks[last_rec + 1 :]:
        closing = closing or bool(CLOSING_PARAGRAPH.match(block["text"]))
        if closing and block["kind"] in (PARAGRAPH, OPENING):
            block["kind"] = CLOSING


# -- the letter ------------------------------------------------------------


def _zones(lines: list[str]) -> tuple[int, int, int]:
    """
    Indexes of the greeting line (-1 if none), of the end of the body and of the
    start of the signatures: the closing formula ("Sincerely,") between them, or,
    in a letter without one, its last paragraph of thanks ending the body.
    """
    greeting = next(
        (i for i, line in enumerate(lines) if GREETING.match(line) and len(line) < 150), -1
    )
    formula = next(
        (
            i
            for i, line in enumerate(lines)
            if i > greeting and CLOSING_FORMULA.match(line) and len(line) < 120
        ),
        None,
    )
    if formula is not None:
        return greeting, formula, formula + 1
    thanks = [i for i, line in enumerate(lines) if i > greeting and CLOSING_PARAGRAPH.match(line)]
    if thanks:
        end = next(
            (i for i in range(thanks[-1], len(lines)) if SENTENCE_END.search(lines[i])), None
        )
        rest = [line for line in lines[(end or 0) + 1 :] if line]
        if end is not None and rest and all(len(line) < 100 for line in rest):
            return greeting, end + 1, end + 1
    return greeting, len(lines), len(lines)


def _head_line(line: str, proposal: dict, people: list[str], role: str) -> str | None:
    """Take a date, subject or label line; the role a label sets, "" if none, None if not one."""
    if (date := parse_date(line)) and not proposal["date"]:
        proposal["date"] = date.isoformat()
        return ""
    if subject := SUBJECT.match(line):
        proposal["subject"] = subject.group(2).strip()[:300]
        return ""
    for label_role, pattern in (("cc", CC_LABEL), ("to", TO_LABEL)):
        if label := pattern.match(line):
            if label.group(2):
                people.append(label.group(2))
            return label_role
    return None


def _head(lines: Sequence[str], proposal: dict) -> None:
    """What comes before the greeting: date, subject, addressees, cc's, a title."""
    role = "to"
    title = ""
    for chunk in _chunks(lines):
        people: list[str] = []
        labelled = False
        for line in chunk:
            taken = _head_line(line, proposal, people, role)
            if taken is None:
                people.append(line)
            elif taken:
                role, labelled = taken, True
        # One line naming an office is a title ("Letter to the Prime Minister on …"),
        # unless a label or an honorific says it is an addressee.
        addressed = labelled or len(people) > 1 or any(is_person(line) for line in people)
        if addressed and any(is_person(line) or is_office(line) for line in people):
            for block in _split_people(people):
                proposal["addressees"].append(addressee_block(block, role))
        elif len(people) == 1 and not title and len(people[0]) < 200:
            title = people[0]
    if not proposal["subject"] and title:
        proposal["subject"] = title[:300]


def _tail(lines: Sequence[str], proposal: dict, known: Sequence[str]) -> None:
    """What follows the closing formula: signature blocks, and cc's after a label."""
    signature_lines: list[str] = []
    cc_lines: list[str] | None = None
    for line in lines:
        label = CC_LABEL.match(line) if line else None
        if label:
            cc_lines = [label.group(2)] if label.group(2) else []
        elif cc_lines is not None:
            cc_lines.append(BULLET.sub("", line))
        else:
            signature_lines.append(line)
    proposal["signatories"] = _signature_blocks(signature_lines, known)
    for chunk in _chunks(cc_lines or []):
        for block in _split_people(chunk):
            proposal["addressees"].append(addressee_block(block, "cc"))


def _cc_before_signatures(body_lines: list[str], proposal: dict) -> list[str]:
    """A cc list between the body and the closing formula: take it out of the body."""
    for index, line in enumerate(body_lines):
        label = CC_LABEL.match(line)
        if label and (label.group(2) or index + 1 < len(body_lines)):
            cc = [label.group(2)] if label.group(2) else []
            cc += [BULLET.sub("", line) for line in body_lines[index + 1 :]]
            for chunk in _chunks(cc):
                for block in _split_people(chunk):
                    proposal["addressees"].append(addressee_block(block, "cc"))
            return body_lines[:index]
    return body_lines


def _address_window(body_lines: list[str], proposal: dict) -> list[str]:
    """
    An addressee block found among the body's lines: PDFs often give the text of
    the envelope window after the page's text. A person's line, then an office,
    then short lines of address.
    """
    for start, line in enumerate(body_lines[:-1]):
        if not (is_person(line) and is_office(body_lines[start + 1])):
            continue
        end = start + 2
        while end < len(body_lines) and end - start < 9:
            following = body_lines[end]
            if not following or len(following) > 80 or following.endswith((".", ",", ":")):
                break
            end += 1
        block = addressee_block(body_lines[start:end], "to")
        proposal["addressees"].insert(0, block)
        return body_lines[:start] + body_lines[end:]
    return body_lines


def _end_of_letter(lines: list[str], greeting_at: int) -> int:
    """
    Where the letter ends on a web page that goes on after its cc list (the PDF
    copies, a table of the asks' status, a press release): at the first group of
    lines after the cc label naming no person and no office, unless the letter's
    closing formula still follows (then the cc list came before the signatures).
    """
    label = next(
        (i for i in range(greeting_at + 1, len(lines)) if lines[i] and CC_LABEL.match(lines[i])),
        None,
    )
    if label is None:
        return len(lines)
    end, start = len(lines), label + 1
    while start < len(lines):
        stop = start
        while stop < len(lines) and lines[stop]:
            stop += 1
        group = [BULLET.sub("", line) for line in lines[start:stop]]
        if group and not any(is_person(line) or is_office(line) for line in group):
            end = start
            break
        start = stop + 1
    if any(CLOSING_FORMULA.match(line) for line in lines[end:]):
        return len(lines)
    return end


def language_of(text: str) -> str:
    """ "ja" for text with kana, "ko" with hangul, else "en" (the letter's language field)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return "en"
    kana = sum("\u3040" <= c <= "\u30ff" for c in letters)
    hangul = sum("\uac00" <= c <= "\ud7a3" for c in letters)
    if kana / len(letters) > 0.05:
        return "ja"
    if hangul / len(letters) > 0.2:
        return "ko"
    return "en"


def parse_letter(text: str, *, known_organizations: Sequence[str] = ()) -> dict:
    """
    The proposed structure of a letter's text (see the module's docstring), or
    NotALetter when nothing in it reads like a letter.
    """
    if not text or not text.strip():
        raise NotALetter("There is no text to import: paste a letter or choose a file.")
    lines = _clean_lines(text[:MAX_TEXT])
    greeting = next(
        (i for i, line in enumerate(lines) if GREETING.match(line) and len(line) < 150), -1
    )
    lines = lines[: _end_of_letter(lines, greeting)]
    greeting_at, body_end, tail_at = _zones(lines)
    formula = lines[body_end] if tail_at > body_end else ""
    proposal: dict = {
        "subject": "",
        "date": "",
        "addressees": [],
        "greeting": lines[greeting_at] if greeting_at >= 0 else "",
        "blocks": [],
        "closing_formula": formula,
        "signatories": [],
    }
    _head(lines[: max(greeting_at, 0)], proposal)
    body_lines = _cc_before_signatures(lines[greeting_at + 1 : body_end], proposal)
    if not any(a["role"] == "to" for a in proposal["addressees"]):
        body_lines = _address_window(body_lines, proposal)
    _tail(lines[tail_at:], proposal, known_organizations)
    default = next((a["country"] for a in proposal["addressees"] if a["country"]), "")
    proposal["country"] = default
    proposal["language"] = language_of(text[:20_000])
    proposal["blocks"] = _body_blocks(_chunks(body_lines), default)
    del proposal["addressees"][MAX_ADDRESSEES:]
    del proposal["signatories"][MAX_SIGNATORIES:]
    if proposal["closing_formula"]:
        proposal["blocks"].append({"kind": CLOSING, "text": proposal["closing_formula"]})
    has_recommendations = any(b["kind"] == RECOMMENDATION for b in proposal["blocks"])
    if greeting_at < 0 and not (proposal["addressees"] and has_recommendations):
        raise NotALetter(
            "No letter was recognised in this text: there is no greeting (such as "
            "“Dear …” or “Excellencies,”), and no addressee with recommendations."
        )
    return proposal


# -- corrections on the review page ----------------------------------------


def merge_with_next(blocks: list[dict], index: int) -> int:
    """Join block `index` and the one after it; returns the index of the merged block."""
    if 0 <= index < len(blocks) - 1:
        following = blocks.pop(index + 1)
        blocks[index]["text"] = f"{blocks[index]['text']} {following['text']}".strip()
    return index


def split_block(blocks: list[dict], index: int, text: str) -> int:
    """Replace the block's text; blank lines in it split it into blocks of the same kind."""
    parts = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    if not (0 <= index < len(blocks)) or not parts:
        return index
    original = blocks[index]
    # The first part keeps the block's identity; the others are new blocks.
    fresh = {key: value for key, value in original.items() if key != "id"}
    blocks[index : index + 1] = [
        {**(original if i == 0 else fresh), "text": part} for i, part in enumerate(parts)
    ]
    return index


def move_block(blocks: list[dict], index: int, direction: str) -> int:
    """Swap with the neighbour ("up" or "down"); across a heading it changes section."""
    other = index - 1 if direction == "up" else index + 1
    if 0 <= index < len(blocks) and 0 <= other < len(blocks):
        blocks[index], blocks[other] = blocks[other], blocks[index]
        return other
    return index


def set_kind(blocks: list[dict], index: int, kind: str, *, default_government: str) -> int:
    """Change what a block is; a new recommendation gets its governments from the rules."""
    if kind not in KINDS or not 0 <= index < len(blocks):
        return index
    block = blocks[index]
    block["kind"] = kind
    if kind == RECOMMENDATION and not block.get("government"):
        lead_in = next(
            (b["text"] for b in reversed(blocks[:index]) if b["kind"] != RECOMMENDATION), ""
        )
        block["text"] = BULLET.sub("", block["text"], count=1)
        block["government"], block["third_state"] = recommendation_governments(
            block["text"],
            lead_in=lead_in if lead_in.endswith(":") else "",
            default=default_government,
        )
    return index
