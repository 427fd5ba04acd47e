"""
The letter's status table: every action is allowed from exactly the statuses
written here, refused from the others with a message, and every workflow and
view asks the same table.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from letters import sending, signing, tracking
from letters.models import Letter, LetterStatus, SignatoryRole, StatusRefused
from tests.factories import make_letter, make_signing_letter, make_user

pytestmark = pytest.mark.django_db

DRAFT, CIRCULATING, FINAL, SENT, PUBLISHED, WITHDRAWN = (
    "draft",
    "circulating",
    "final",
    "sent",
    "published",
    "withdrawn",
)
STATUSES = [DRAFT, CIRCULATING, FINAL, SENT, PUBLISHED, WITHDRAWN]

# Written out by hand, independently of the model's table, so a change there
# that nobody meant fails here.
ALLOWED_FROM = {
    "edit": {DRAFT, CIRCULATING},
    "circulate": {DRAFT, CIRCULATING},
    "sign": {CIRCULATING},
    "issue_link": {CIRCULATING},
    "remind": {CIRCULATING},
    "approve_for_lead": {DRAFT, CIRCULATING},
    "finalise": {DRAFT, CIRCULATING},
    "withdraw": {DRAFT, CIRCULATING, FINAL},
    "supersede": {FINAL, SENT, PUBLISHED, WITHDRAWN},
    "send": {FINAL},
    "publish": {SENT},
    "unpublish": {PUBLISHED},
    "start_follow_up": {FINAL, SENT, PUBLISHED},
}
# Actions that move the letter: the status they lead to and the timestamp they set.
MOVES = {
    "circulate": (CIRCULATING, None),
    "finalise": (FINAL, "finalized_at"),
    "withdraw": (WITHDRAWN, "withdrawn_at"),
    "send": (SENT, "sent_at"),
    "publish": (PUBLISHED, "published_at"),
    "unpublish": (SENT, None),
}
STAMPS = ["finalized_at", "sent_at", "published_at", "withdrawn_at"]
EVERY_CASE = [(action, status) for action in ALLOWED_FROM for status in STATUSES]


def test_the_table_has_exactly_these_actions():
    assert set(Letter.ACTIONS) == set(ALLOWED_FROM)
    assert {a for a, rule in Letter.ACTIONS.items() if rule.to is not None} == set(MOVES)


@pytest.mark.parametrize(("action", "status"), EVERY_CASE)
def test_each_action_is_allowed_exactly_from_its_statuses(action, status):
    letter = make_letter(reference="ST-1", status=status)
    allowed = status in ALLOWED_FROM[action]
    assert letter.allows(action) is allowed
    assert letter.allowed[action] is allowed
    if allowed:
        assert letter.refusal(action) == ""
    else:
        refusal = letter.refusal(action)
        assert refusal and "{" not in refusal


@pytest.mark.parametrize(("action", "status"), [c for c in EVERY_CASE if c[0] in MOVES])
def test_a_move_sets_status_and_timestamp_or_is_refused_and_changes_nothing(action, status):
    letter = make_letter(status=status)
    before = Letter.objects.get(pk=letter.pk)
    if status not in ALLOWED_FROM[action]:
        with pytest.raises(StatusRefused) as refused:
            letter.move(action)
        assert str(refused.value) == before.refusal(action)
        stored = Letter.objects.get(pk=letter.pk)
        assert stored.status == status
        assert [getattr(stored, f) for f in STAMPS] == [None] * len(STAMPS)
        return
    letter.move(action)
    stored = Letter.objects.get(pk=letter.pk)
    target, stamp = MOVES[action]
    assert stored.status == target
    for field in STAMPS:
        assert (getattr(stored, field) is not None) == (field == stamp), field


def test_actions_that_only_need_a_status_do_not_move():
    letter = make_letter()
    with pytest.raises(ValueError, match="does not change the status"):
        letter.move("edit")
    assert Letter.objects.get(pk=letter.pk).status == DRAFT


def test_a_move_saves_the_changes_it_is_given_and_records_who_made_it():
    user = make_user("mover")
    letter = make_letter()
    deadline = timezone.now() + dt.timedelta(days=3)
    letter.move("circulate", by=user, sign_on_deadline=deadline)
    stored = Letter.objects.get(pk=letter.pk)
    assert (stored.status, stored.sign_on_deadline) == (CIRCULATING, deadline)
    assert stored.history.first().history_user == user
    # The author is not carried over to later saves of the same object.
    letter.save()
    assert stored.history.first().history_user is None


def test_the_groups_are_properties_of_each_status_and_lists_for_queries():
    assert {s for s in LetterStatus if s.is_editable} == {DRAFT, CIRCULATING}
    assert {s for s in LetterStatus if s.is_signed} == {FINAL, SENT, PUBLISHED}
    assert {s for s in LetterStatus if s.is_followed} == {SENT, PUBLISHED}
    assert LetterStatus.DRAFT.is_editable and not LetterStatus.FINAL.is_editable
    letters = {status: make_letter(status=status) for status in STATUSES}
    for group, expected in [
        (LetterStatus.editable(), {DRAFT, CIRCULATING}),
        (LetterStatus.signed(), {FINAL, SENT, PUBLISHED}),
        (LetterStatus.followed(), {SENT, PUBLISHED}),
    ]:
        found = Letter.objects.filter(status__in=group)
        assert set(found) == {letters[status] for status in expected}
    assert letters[SENT].is_followed and letters[FINAL].is_signed
    assert not letters[WITHDRAWN].is_signed and not letters[WITHDRAWN].is_editable


# --- the workflows ask the same table -------------------------------------------------


def _cosigner(letter):
    return letter.signatories.filter(role=SignatoryRole.COSIGNER).first()


WORKFLOWS = {
    "circulate": lambda letter: signing.circulate(
        letter=letter, by=None, deadline=timezone.now() + dt.timedelta(days=3)
    ),
    "issue_link": lambda letter: signing.reissue_link(signatory=_cosigner(letter), by=None),
    "remind": lambda letter: signing.pending_reminders(letter=letter),
    "approve_for_lead": lambda letter: signing.approve_for_lead(
        signatory=letter.signatories.get(role=SignatoryRole.LEAD),
        by=None,
        signer_name="Lee Lead",
        signer_title="Head",
    ),
    "finalise": lambda letter: sending.finalise(letter=letter, by=None),
    "withdraw": lambda letter: sending.withdraw_letter(letter=letter, by=None),
    "supersede": lambda letter: sending.supersede(letter=letter, by=None, reference="ST-NEW"),
    "send": lambda letter: sending.record_sending(letter=letter, by=None, entries=[]),
    "publish": lambda letter: sending.publish(letter=letter, by=None),
    "unpublish": lambda letter: sending.unpublish(letter=letter, by=None),
    "start_follow_up": lambda letter: tracking.start_follow_up_letter(letter=letter, by=None),
}


def _refusal_from(call, letter) -> str:
    """The message a workflow refused with ("" if it went ahead)."""
    try:
        result = call(letter)
    except (signing.SigningError, sending.SendingError) as exc:
        return str(exc)
    except ValidationError as exc:
        return " ".join(exc.messages)
    if isinstance(result, list) and result and isinstance(result[0], str):
        return result[0]  # finalise lists what stands in the way
    return ""


@pytest.mark.parametrize(("action", "status"), [c for c in EVERY_CASE if c[0] in WORKFLOWS])
def test_every_workflow_refuses_exactly_what_the_table_refuses(action, status):
    letter = make_signing_letter(status=status)
    refusal = letter.refusal(action)
    message = _refusal_from(WORKFLOWS[action], letter)
    if status in ALLOWED_FROM[action]:
        # It may still stop for another reason (no entries, nothing open...), not the status.
        would_say = Letter.ACTIONS[action].refusal.format(
            reference=letter.reference, status=letter.get_status_display().lower()
        )
        assert refusal == "" and message != would_say
    else:
        assert message == refusal
        assert Letter.objects.get(pk=letter.pk).status == status


@pytest.mark.parametrize("status", STATUSES)
def test_sign_on_links_work_only_while_the_letter_circulates(status):
    letter = make_signing_letter(status=status)
    cosigner = _cosigner(letter)
    cosigner.invited_at = timezone.now()
    cosigner.token_expires_at = timezone.now() + dt.timedelta(days=1)
    cosigner.save()
    found = signing.signatory_for_token(cosigner.token)
    assert (found is not None) == (status == CIRCULATING)


# --- the views refuse with the table's message ----------------------------------------


@pytest.mark.parametrize("status", STATUSES)
def test_the_editor_opens_only_for_an_editable_letter(client, drafter, status):
    letter = make_letter(reference="ST-EDIT", status=status)
    client.force_login(drafter)
    response = client.get(reverse("letters:drafting_edit", args=[letter.pk]))
    if status in ALLOWED_FROM["edit"]:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert b"ST-EDIT is " in response.content
        assert b"can no longer be edited" in response.content


VIEW_REFUSALS = [
    ("signing_circulate", "get", FINAL, "A final letter cannot circulate for sign-on"),
    ("signing_remind", "post", DRAFT, "Reminders go out only while the letter circulates."),
    ("sending_finalise", "post", SENT, "A sent letter cannot be finalised."),
    ("sending_withdraw", "post", SENT, "A sent letter cannot be withdrawn; supersede it"),
    ("sending_supersede", "post", CIRCULATING, "A draft can still be edited; there is nothing"),
    ("sending_send", "get", DRAFT, "Only a final letter that has not gone out can be sent."),
    ("sending_publish", "post", FINAL, "Only a letter that has been sent can be published."),
    ("sending_unpublish", "post", SENT, "The letter is not published."),
    ("tracking_follow_up_letter", "post", DRAFT, "A follow-up letter starts from a finalised"),
]


@pytest.mark.parametrize(("name", "method", "status", "message"), VIEW_REFUSALS)
def test_views_refuse_what_the_status_does_not_allow_with_a_message(
    client, coordinator, name, method, status, message
):
    letter = make_signing_letter(status=status)
    client.force_login(coordinator)
    url = reverse(f"letters:{name}", args=[letter.pk])
    data = {"reference": "ST-COPY"} if name == "sending_supersede" else {}
    response = getattr(client, method)(url, data, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Letter.objects.get(pk=letter.pk).status == status
    assert Letter.objects.count() == 1


def test_link_and_lead_views_refuse_outside_sign_on_with_a_message(client, coordinator):
    letter = make_signing_letter(status=FINAL)
    client.force_login(coordinator)
    cosigner = _cosigner(letter)
    response = client.post(
        reverse("letters:signing_reissue_link", args=[letter.pk, cosigner.pk]), follow=True
    )
    assert "Links can only be issued while the letter circulates." in response.content.decode()
    lead = letter.signatories.get(role=SignatoryRole.LEAD)
    response = client.post(
        reverse("letters:signing_approve_for_lead", args=[letter.pk, lead.pk]),
        {"signer_name": "Lee Lead", "signer_title": "Head"},
        follow=True,
    )
    assert "Approvals can only change before the letter is final." in response.content.decode()
    lead.refresh_from_db()
    assert lead.approved_at is None


# What the letter page offers a coordinator, status by status: the buttons of
# the actions the table allows, and no others.
BUTTONS = {
    "signing_circulate": "circulate",
    "sending_finalise": "finalise",
    "sending_withdraw": "withdraw",
    "sending_supersede": "supersede",
    "sending_send": "send",
    "sending_publish": "publish",
    "sending_unpublish": "unpublish",
    "signing_remind": "remind",
    "tracking_follow_up_letter": "start_follow_up",
    "drafting_edit": "edit",
}


@pytest.mark.parametrize("status", STATUSES)
def test_the_letter_page_offers_exactly_the_actions_the_status_allows(client, coordinator, status):
    letter = make_signing_letter(status=status)
    client.force_login(coordinator)
    html = client.get(letter.get_absolute_url()).content.decode()
    for name, action in BUTTONS.items():
        url = reverse(f"letters:{name}", args=[letter.pk])
        assert (f'"{url}"' in html) == (status in ALLOWED_FROM[action]), name
    circulate = "Deadline and message" if status == CIRCULATING else "Circulate for sign-on"
    if status in ALLOWED_FROM["circulate"]:
        assert circulate in html


def test_the_history_says_who_took_each_step():
    user = make_user("steps")
    letter = make_signing_letter()
    signing.circulate(letter=letter, by=user, deadline=timezone.now() + dt.timedelta(days=3))
    cosigner = _cosigner(letter)
    signing.reissue_link(signatory=cosigner, by=user)
    signing.revoke_link(signatory=cosigner, by=user)
    lead = letter.signatories.get(role=SignatoryRole.LEAD)
    signing.approve_for_lead(signatory=lead, by=user, signer_name="Lee Lead", signer_title="Head")
    for signatory in (cosigner, lead):
        assert signatory.history.first().history_user == user
    sending.withdraw_letter(letter=letter, by=user)
    latest = letter.history.first()
    assert (latest.status, latest.history_user) == (WITHDRAWN, user)
    assert letter.history.filter(status=CIRCULATING).first().history_user == user
    release = sending.start_press_release(letter=letter, by=user)
    assert release.history.first().history_user == user
