"""
Who may open every page of the address book: every role reads it, only the
Admin role changes it, an outsider gets nothing, a visitor is sent to log in.
The test walks every URL pattern, so a new page without a row fails.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from recipients import urls
from recipients.models import Official, Position, Term
from tests.factories import make_official, make_position, make_term

pytestmark = pytest.mark.django_db

PERSONAS = ["drafter", "coordinator", "admin_user", "outsider", "anonymous"]
READERS = {"drafter", "coordinator", "admin_user"}
ADMINS = {"admin_user"}


@pytest.fixture
def world():
    position = make_position(title="Prime Minister")
    term = make_term(position)
    return {"position": position, "term": term, "official": term.official, "spare": make_official()}


def one(name):
    return lambda w: [w[name].pk]


# (URL name, its arguments, who may GET, who may POST; None: not allowed at all)
URLS = [
    ("recipients:list", lambda w: [], READERS, READERS),
    ("recipients:export", lambda w: [], READERS, READERS),
    ("recipients:import", lambda w: [], ADMINS, ADMINS),
    ("recipients:position_add", lambda w: [], ADMINS, ADMINS),
    ("recipients:position_preview", lambda w: [], None, ADMINS),
    ("recipients:position", one("position"), READERS, READERS),
    ("recipients:position_edit", one("position"), ADMINS, ADMINS),
    ("recipients:position_preview", one("position"), None, ADMINS),
    ("recipients:position_verify", one("position"), None, ADMINS),
    ("recipients:change_holder", one("position"), ADMINS, ADMINS),
    ("recipients:position_archive", one("position"), None, ADMINS),
    ("recipients:position_delete", one("position"), None, ADMINS),
    ("recipients:term_edit", one("term"), ADMINS, ADMINS),
    ("recipients:officials", lambda w: [], READERS, READERS),
    ("recipients:official_add", lambda w: [], ADMINS, ADMINS),
    ("recipients:official_preview", lambda w: [], None, ADMINS),
    ("recipients:official", one("official"), READERS, READERS),
    ("recipients:official_edit", one("official"), ADMINS, ADMINS),
    ("recipients:official_preview", one("official"), None, ADMINS),
    ("recipients:official_archive", one("official"), None, ADMINS),
    ("recipients:official_delete", one("spare"), None, ADMINS),
]


def snapshot() -> tuple:
    rows = [
        list(model.objects.order_by("pk").values_list()) for model in (Position, Official, Term)
    ]
    return tuple(map(tuple, rows))


def test_the_table_has_every_url_of_the_address_book():
    assert {f"recipients:{p.name}" for p in urls.urlpatterns} == {name for name, *_ in URLS}


@pytest.mark.parametrize(
    ("name", "args", "get", "post"), URLS, ids=[f"{row[0]}-{i}" for i, row in enumerate(URLS)]
)
def test_who_may_open_each_page(client, request, world, name, args, get, post):
    url = reverse(name, args=args(world))
    users = {persona: request.getfixturevalue(persona) for persona in PERSONAS[:-1]}
    for persona in PERSONAS:
        with transaction.atomic():
            client.logout()
            if persona in users:
                client.force_login(users[persona])
            for method, who in (("get", get), ("post", post)):
                before = snapshot()
                response = getattr(client, method)(url)
                where = f"{method} {name} as {persona}"
                if persona == "anonymous":
                    assert response.status_code == 302, where
                    assert response["Location"].startswith("/login/"), where
                elif who is None:
                    assert response.status_code == 405, where
                elif persona in who:
                    assert response.status_code in (200, 302, 400), where
                else:
                    assert response.status_code == 403, where
                    assert snapshot() == before, where
            transaction.set_rollback(True)
