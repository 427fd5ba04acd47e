from __future__ import annotations

import html
import json
import re

from django import template
from django.forms.models import ModelChoiceIterator
from django.utils import dateformat
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import pgettext

from advocacy import fragments
from letters import markdown, text
from letters.forms.widgets import model_options
from letters.models import ImplementationStatus, LetterRecipient, ResponseStatus

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    return markdown.render(text)


@register.simple_tag
def select_options(field) -> str:
    """
    The <option>s of a bound choice field, the current one selected. Built
    here with the standard library's escape rather than by a template loop or
    format_html: the letter list's government filter alone has 250 options,
    which took most of the page's time to draw.
    """
    current = str(field.value())
    if isinstance(field.field.choices, ModelChoiceIterator):  # e.g. 400 organisations
        chosen = html.escape(current)
        return mark_safe(  # model_options escaped every value and label
            "".join(
                f'<option value="{value}"{" selected" if value == chosen else ""}>{label}</option>'
                for value, label in model_options(field.field.choices)
            )
        )
    return mark_safe(  # every value and label escaped here
        "".join(
            f'<option value="{html.escape(str(value))}"'
            f"{' selected' if str(value) == current else ''}>{html.escape(str(label))}</option>"
            for value, label in field.field.choices
        )
    )


RESPONSE_LABELS = dict(ResponseStatus.choices)
IMPLEMENTATION_LABELS = dict(ImplementationStatus.choices)


@register.simple_tag
def status_badge(kind: str, value: str | None, labelled: bool = False) -> str:
    """
    A coloured badge for a response or implementation status. `labelled` says
    which of the two it is ("Response: accepted"), for places that show both
    side by side without a column heading. Built here rather than from a
    template: the tracker draws a hundred per page.
    """
    labels = RESPONSE_LABELS if kind == "response" else IMPLEMENTATION_LABELS
    if not value:
        label = "No response yet" if kind == "response" else "Not assessed"
    else:
        label = labels.get(value, value)
    if labelled:
        label = f"{kind.capitalize()}: {label[:1].lower()}{label[1:]}"
    return format_html(
        '<span class="badge-status" data-value="{}">{}</span>', value or "none", label
    )


FINGERPRINT_LENGTH = 6


@register.inclusion_tag("letters/_fingerprint.html")
def fingerprint(content_hash: str):
    """
    A version of the text as people can compare it: the first characters of
    its hash (a new fingerprint means the text changed), never the whole hash.
    """
    return {"short": (content_hash or "")[:FINGERPRINT_LENGTH]}


def _uses(**filters) -> list[LetterRecipient]:
    uses = LetterRecipient.objects.filter(**filters).select_related("letter")
    return list(uses.order_by("letter__reference"))


@register.inclusion_tag("letters/_letters_addressed_to.html")
def letters_addressed_to(position):
    """
    The address book's office page: the letters that go to the office and, once
    it is archived, those still being drafted to it (they need another recipient).
    """
    uses = _uses(position=position)
    drafts = sorted({u.letter.reference for u in uses if not u.is_frozen})
    return {"uses": uses, "drafts": drafts if position.archived_at else []}


@register.inclusion_tag("letters/_letters_sent_to.html")
def letters_sent_to(official):
    """The address book's person page: the letters frozen with them as the addressee."""
    return {"uses": _uses(official=official)}


# How each language (and region) writes a letter's date; Django's catalogues name
# the months ("9 février 2017"). The letter's own language is active when it prints.
LETTER_DATE_FORMATS = {
    "en-us": "F j, Y",
    "ja": "Y年n月j日",
    "zh": "Y年n月j日",
    "ko": "Y년 n월 j일",
}


@register.filter
def letter_date(letter) -> str:
    if not letter.date:
        return ""
    language = letter.language.lower()
    fmt = LETTER_DATE_FORMATS.get(language) or LETTER_DATE_FORMATS.get(
        language.split("-")[0], "j F Y"
    )
    return dateformat.format(letter.date, fmt)


@register.filter
def japanese_addressee(recipient: LetterRecipient) -> SafeString:
    """The line that ends a Japanese address block: 「法務大臣 千葉景子殿」, 「… 各位」."""
    free, kept = text.japanese_addressee_parts(recipient)
    return format_html('{}<span class="addressee-name">{}</span>', free, kept)


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


@register.simple_tag
def page_counter() -> str:
    """The footer's "Page X of Y" as a CSS `content` value, in the active language."""
    # Translators: {page} and {pages} become the page number and the number of pages.
    words = pgettext("page footer", "Page {page} of {pages}")
    out = []
    for part in re.split(r"(\{pages?\})", words):
        if part == "{page}":
            out.append("counter(page)")
        elif part == "{pages}":
            out.append("counter(pages)")
        elif part:
            out.append(_css_string(part))
    return mark_safe(" ".join(out))  # our own catalogue's words, quoted and escaped


@register.simple_tag
def signatory_list(signatories: list, grouping: str) -> text.SignatoryList:
    """The numbered, grouped list a letter prints instead of signature blocks."""
    return text.signatory_list(signatories, grouping)


class CachedBlockNode(template.Node):
    def __init__(self, nodelist, name: str, key_parts: list, unless=None) -> None:
        self.nodelist, self.name, self.key_parts, self.unless = nodelist, name, key_parts, unless

    def render(self, context) -> str:
        from letters import tracking_cache  # the templatetag library loads before the models

        if self.unless is not None and self.unless.resolve(context):
            return self.nodelist.render(context)
        key = json.dumps([str(part.resolve(context)) for part in self.key_parts])

        def rendered() -> str:
            # Shared by everyone who opens the same version; the token is each visitor's own.
            with context.push(**fragments.placeholder_token()):
                return self.nodelist.render(context)

        html = tracking_cache.cached_by_key(f"block:{self.name}", key, rendered)
        return fragments.put_token(html, str(context.get("csrf_token", "")))


@register.tag
def cached_block(parser, token) -> CachedBlockNode:
    """
    `{% cached_block "name" letter.pk letter.version %}…{% endcached_block %}`:
    the block as rendered for these values, until the next write the tracker's
    cache hears of (tracking_cache: letters, recommendations, themes,
    organisations, follow-ups). Anything the block shows must be named by the
    values or written through those models; nothing in it may depend on who
    asks, except the CSRF token, which is put back per request. Lists the block
    loops over should be callables, so a cached block does not query them.
    `… unless form.is_bound %}` renders it afresh when that is true (a form
    with the user's input and its errors).
    """
    bits = token.split_contents()
    unless = None
    if len(bits) > 2 and bits[-2] == "unless":
        unless = parser.compile_filter(bits[-1])
        bits = bits[:-2]
    if len(bits) < 3:
        raise template.TemplateSyntaxError("cached_block takes a name and at least one value")
    nodelist = parser.parse(("endcached_block",))
    parser.delete_first_token()
    key_parts = [parser.compile_filter(bit) for bit in bits[2:]]
    return CachedBlockNode(nodelist, bits[1].strip("\"'"), key_parts, unless)
