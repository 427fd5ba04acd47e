"""Template helpers for the drafting pages."""

from __future__ import annotations

import functools
import json

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()


@register.filter
def concat(value, arg) -> str:
    """Join two values as text (Django's `add` gives "" for a string and a number)."""
    return f"{value}{arg}"


# A stand-in for the item's key: reversed once, then replaced (see `item_url`).
_ITEM = 987654321


@functools.lru_cache(maxsize=512)
def _item_url_pattern(name: str, letter_pk: int, prefix: str, urlconf: str | None) -> str:
    return reverse(name, args=[letter_pk, _ITEM], urlconf=urlconf)


@register.simple_tag
def item_url(name: str, letter_pk: int, item_pk: int) -> str:
    """`{% url name letter.pk item.pk %}` for the rows of a long list.

    A large draft has 300 row links and each `reverse` costs ~60 µs; this reverses
    once per page and list with a stand-in for the item, then fills the item in.
    """
    pattern = _item_url_pattern(name, int(letter_pk), get_script_prefix(), get_urlconf())
    head, _, tail = pattern.rpartition(str(_ITEM))
    return f"{head}{int(item_pk)}{tail}"


# Stands for the request's CSRF token in a cached block: the block is shared by
# everyone who opens the same version, the token is each visitor's own.
CSRF_STAND_IN = "csrf-stand-in-8f41c0d2"


class CachedBlockNode(template.Node):
    def __init__(self, nodelist, name: str, key_parts: list, unless=None) -> None:
        self.nodelist, self.name, self.key_parts, self.unless = nodelist, name, key_parts, unless

    def render(self, context) -> str:
        from letters import tracking_cache  # the templatetag library loads before the models

        if self.unless is not None and self.unless.resolve(context):
            return self.nodelist.render(context)
        key = json.dumps([str(part.resolve(context)) for part in self.key_parts])

        def rendered() -> str:
            with context.push(csrf_token=CSRF_STAND_IN):
                return self.nodelist.render(context)

        html = tracking_cache.cached_by_key(f"block:{self.name}", key, rendered)
        return html.replace(CSRF_STAND_IN, str(context.get("csrf_token", "")))


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
