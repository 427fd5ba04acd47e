"""Cached HTML names the code that drew it: a deploy never serves what old templates drew."""

from __future__ import annotations

from advocacy import fragments


def test_the_code_version_changes_with_a_template_and_not_with_anything_else(settings, tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "letters" / "migrations").mkdir(parents=True)
    page = tmp_path / "templates" / "page.html"
    page.write_text("<p>{{ text }}</p>")
    (tmp_path / "letters" / "views.py").write_text("x = 1\n")
    settings.BASE_DIR = tmp_path
    first = fragments.code_version.__wrapped__()
    assert first == fragments.code_version.__wrapped__()

    (tmp_path / "notes.txt").write_text("not code")
    (tmp_path / "letters" / "migrations" / "0001_initial.py").write_text("# a migration\n")
    assert fragments.code_version.__wrapped__() == first

    page.write_text("<p class='new'>{{ text }}</p>")
    assert fragments.code_version.__wrapped__() != first


def test_each_reader_gets_their_own_token_in_place_of_the_placeholder():
    text = "csrf-token-placeholder"  # as a user might type it: not a token to replace
    html = f'<input name="csrfmiddlewaretoken" value="csrf-token-placeholder"> {text}'
    assert (
        fragments.put_token(html, "abc") == f'<input name="csrfmiddlewaretoken" value="abc"> {text}'
    )
