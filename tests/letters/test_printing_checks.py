from __future__ import annotations

import io

from django.core.management import call_command

from letters import checks


def test_fonts_for_japanese_chinese_and_korean_are_installed():
    # Fails on a machine without fonts-noto-cjk: letters would print as boxes.
    assert checks.check_cjk_fonts() == []


def test_a_missing_cjk_font_is_a_check_warning(monkeypatch):
    monkeypatch.setattr(checks, "font_families", lambda lang: {"DejaVu Sans"})
    messages = checks.check_cjk_fonts()
    assert [m.id for m in messages] == ["letters.W402"] * 3
    assert "letters in 'ja' would print as empty boxes" in messages[0].msg
    assert "fonts-noto-cjk" in messages[0].hint


def test_manage_py_check_reports_a_missing_font(monkeypatch):
    monkeypatch.setattr(checks, "font_families", lambda lang: set())
    out = io.StringIO()
    call_command("check", stdout=out, stderr=out)
    assert "letters.W402" in out.getvalue()


def test_missing_fontconfig_is_a_warning_too(monkeypatch):
    monkeypatch.setattr(checks.shutil, "which", lambda name: None)
    assert [m.id for m in checks.check_cjk_fonts()] == ["letters.W401"]
