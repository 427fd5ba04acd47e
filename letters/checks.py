"""
System checks for printing: a letter in Japanese, Chinese or Korean needs a font
with those glyphs, or WeasyPrint prints empty boxes without failing. Better to
hear it from `manage.py check` than from an embassy.
"""

from __future__ import annotations

import shutil
import subprocess

from django.core.checks import Tags, Warning, register

# Language code -> (fontconfig language, the family print.css asks for).
CJK_FONTS = {
    "ja": ("ja", "Noto Serif CJK JP"),
    "zh": ("zh-cn", "Noto Serif CJK SC"),
    "ko": ("ko", "Noto Serif CJK KR"),
}
FIX = "Install the fonts-noto-cjk package (see the Makefile's SYSTEM_PACKAGES)."


def font_families(fc_lang: str) -> set[str] | None:
    """Families fontconfig has for a language, or None when fontconfig is missing."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    result = subprocess.run(
        [fc_list, f":lang={fc_lang}", "family"],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    families: set[str] = set()
    for line in result.stdout.splitlines():
        families.update(name.strip() for name in line.split(","))
    return families


@register(Tags.compatibility, "printing")
def check_cjk_fonts(app_configs=None, **kwargs) -> list[Warning]:
    warnings = []
    for language, (fc_lang, family) in CJK_FONTS.items():
        families = font_families(fc_lang)
        if families is None:
            return [
                Warning(
                    "fontconfig's fc-list is missing, so fonts for PDFs cannot be checked.",
                    hint="Install the fontconfig package.",
                    id="letters.W401",
                )
            ]
        if family not in families:
            warnings.append(
                Warning(
                    f"No {family} font: letters in '{language}' would print as empty boxes.",
                    hint=FIX,
                    id="letters.W402",
                )
            )
    return warnings
