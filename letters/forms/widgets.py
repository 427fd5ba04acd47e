"""
Widgets shared by the letters' forms.

`LongSelect` is a select for long lists (hundreds of organisations): Django renders
each option through its own template, about 40 µs an option, which made the editor of
a large draft spend 30 ms on two lists of 400 organisations. This one writes the
same markup in Python, every value and label escaped.
"""

from __future__ import annotations

import html
from typing import Any, cast

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.safestring import SafeString, mark_safe


def _escaped(text: Any) -> str:
    """`conditional_escape` without its lazy-string wrapper (a third of the cost here)."""
    if hasattr(text, "__html__"):
        return text.__html__()
    return html.escape(str(text))


def _attributes(attrs: dict) -> str:
    """Attributes as Django's `attrs.html` prints them: in order, True bare, False left out."""
    return "".join(
        f" {_escaped(name)}" if value is True else f' {_escaped(name)}="{_escaped(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class LongSelect(forms.Select):
    def render(
        self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None
    ) -> SafeString:
        if isinstance(self.choices, ModelChoiceIterator):
            return self._render_model_choices(name, value, attrs)
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{_escaped(widget["name"])}"{_attributes(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_escaped(group_name)}">')
            parts.extend(
                f'\n  <option value="{_escaped(option["value"])}"'
                f"{_attributes(option['attrs'])}>"
                f"{_escaped(option['label'])}</option>"
                for option in options
            )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # every part above is escaped

    def _render_model_choices(self, name: str, value: Any, attrs: dict | None) -> SafeString:
        """
        A model's rows as options (`model_options`): reading and labelling 400
        organisations cost the editor two queries and ~10 ms a list.
        """
        options = model_options(cast(ModelChoiceIterator, self.choices))
        chosen = {_escaped(v) for v in self.format_value(value)}
        final_attrs = self.build_attrs(self.attrs, attrs)
        parts = [f'<select name="{_escaped(name)}"{_attributes(final_attrs)}>']
        parts.extend(
            f'\n  <option value="{option_value}" selected>{label}</option>'
            if option_value in chosen
            else f'\n  <option value="{option_value}">{label}</option>'
            for option_value, label in options
        )
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # every value and label was escaped


def model_options(iterator: ModelChoiceIterator) -> tuple[tuple[str, str], ...]:
    """
    A model choice field's (value, label) pairs, escaped, read once until the next
    write the tracker's cache hears of (organisations are among them).
    """
    from letters import tracking_cache  # the forms load before the app registry is ready

    def read() -> tuple[tuple[str, str], ...]:
        return tuple((_escaped(str(value)), _escaped(label)) for value, label in iterator)

    return tracking_cache.cached("model-options", iterator.queryset, read)
