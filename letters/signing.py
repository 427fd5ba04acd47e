"""
Sign-on: circulating a draft to the co-signing organisations, their private
links, approvals bound to the exact text, and reminders.

Every function that changes state locks the letter row first and then the
signatory rows (always in that order, so two requests cannot deadlock): two
representatives approving at once both count, and finalising waits for an
approval in flight and then sees it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import logging
import secrets
import smtplib
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django_countries import countries

from letters.links import absolute_url
from letters.models import (
    ApprovedText,
    CallSignature,
    CallSignatureStatus,
    Letter,
    LetterStatus,
    Organization,
    Signatory,
    SignatoryRole,
    SignOnCall,
    TranslationApproval,
    new_token,
)
from letters.text import approvable_text, diff_snapshots

logger = logging.getLogger(__name__)


class SigningError(Exception):
    """A step that cannot be taken, with a message for the person who tried."""


class TextChanged(SigningError):
    """The representative approved a text that is no longer the current one."""


class State:
    NOT_INVITED = "not_invited"
    INVITED = "invited"
    OPENED = "opened"
    APPROVED = "approved"
    APPROVED_OLDER = "approved_older"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    REVOKED = "revoked"

    LABELS = {
        NOT_INVITED: "Not invited yet",
        INVITED: "Invited",
        OPENED: "Opened the link",
        APPROVED: "Approved the current text",
        APPROVED_OLDER: "Approved an older text",
        DECLINED: "Declined",
        WITHDRAWN: "Withdrew",
        EXPIRED: "Link expired",
        REVOKED: "Link revoked",
    }


def sign_on_state(signatory: Signatory, letter: Letter, *, now: dt.datetime | None = None) -> str:
    """Where one organisation stands, for the board."""
    now = now or timezone.now()
    if signatory.withdrawn_at:
        return State.WITHDRAWN
    if signatory.declined_at:
        return State.DECLINED
    if signatory.has_approved(letter.content_hash):
        return State.APPROVED
    if signatory.approved_at:
        return State.APPROVED_OLDER
    if signatory.token_revoked_at:
        return State.REVOKED
    if signatory.invited_at and signatory.token_expires_at and signatory.token_expires_at <= now:
        return State.EXPIRED
    if signatory.opened_at:
        return State.OPENED
    if signatory.invited_at:
        return State.INVITED
    return State.NOT_INVITED


def state_label(signatory: Signatory, state: str) -> str:
    if signatory.role == SignatoryRole.LEAD and state == State.NOT_INVITED:
        return "Not approved yet"  # the lead approves in the app, not through a link
    return State.LABELS[state]


def link_note(signatory: Signatory, *, live: bool, now: dt.datetime) -> str:
    """What the board says about an organisation's link, if anything."""
    expires = signatory.token_expires_at
    if signatory.role == SignatoryRole.LEAD or signatory.invited_at is None or expires is None:
        return ""
    local = timezone.localtime(expires)
    # The year only when it is not this one: "ended 8 Dec" of a 2009 letter misleads.
    same_year = local.year == timezone.localtime(now).year
    when = date_format(local, "j M, H:i" if same_year else "j M Y, H:i")
    if live:
        return f"Link works until {when}"
    if signatory.token_revoked_at is not None:
        return ""  # the state says "Link revoked"
    if expires <= now:
        return f"Link ended {when}"
    return "Link closed: sign-on is over"


def past_declines(letter: Letter) -> dict[int, list[tuple[dt.datetime, str]]]:
    """
    Every decline each organisation ever gave, from the history (one query):
    approving later clears the decline from the signatory, not from the record.
    """
    found: dict[int, list[tuple[dt.datetime, str]]] = {}
    rows = (
        Signatory.history.filter(letter_id=letter.pk, declined_at__isnull=False)
        .values_list("id", "declined_at", "decline_reason")
        .distinct()
        .order_by("declined_at")
    )
    for pk, declined_at, reason in rows:
        if (declined_at, reason) not in found.setdefault(pk, []):
            found[pk].append((declined_at, reason))
    return found


@dataclass
class Board:
    """Where every signing organisation stands, for the letter's sign-on board."""

    rows: list[dict]
    approved: int
    circulating: bool
    open: bool
    # Signatories from an open call who approved the current text: one line, not
    # hundreds of rows (the queue lists them).
    from_call: int = 0


def board(letter: Letter, *, now: dt.datetime | None = None) -> Board:
    now = now or timezone.now()
    rows = []
    declines = past_declines(letter)
    for signatory in letter.signatories.select_related("organization").order_by("order", "pk"):
        signatory.letter = letter
        state = sign_on_state(signatory, letter, now=now)
        live = link_is_live(signatory, now=now)
        rows.append(
            {
                "signatory": signatory,
                "state": state,
                "state_label": state_label(signatory, state),
                "is_lead": signatory.role == SignatoryRole.LEAD,
                "folded": signatory.from_open_call and state == State.APPROVED,
                "live": live,
                "link": "",
                "link_note": link_note(signatory, live=live, now=now),
                # The current decline is shown from the signatory; these are earlier ones.
                "declines": [
                    d for d in declines.get(signatory.pk, []) if d[0] != signatory.declined_at
                ],
            }
        )
    shown = [row for row in rows if not row["folded"]]
    return Board(
        rows=shown,
        approved=sum(1 for row in rows if row["state"] == State.APPROVED),
        circulating=letter.allows("remind"),
        open=letter.allows("approve_for_lead"),
        from_call=len(rows) - len(shown),
    )


def link_for(signatory: Signatory, request: HttpRequest | None = None) -> str:
    return absolute_url(reverse("public:sign", args=[signatory.token]), request)


def link_is_live(signatory: Signatory, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        signatory.invited_at is not None
        and signatory.token_revoked_at is None
        and signatory.token_expires_at is not None
        and signatory.token_expires_at > now
        and signatory.letter.allows("sign")
    )


def signatory_for_token(token: str) -> Signatory | None:
    """The signatory a live link belongs to; None for every other case alike."""
    if not token or len(token) > 64:
        return None
    signatory = (
        Signatory.objects.select_related("letter", "organization").filter(token=token).first()
    )
    if signatory is None or not link_is_live(signatory):
        return None
    return signatory


def _lock(letter_pk: int) -> Letter:
    return Letter.objects.select_for_update().get(pk=letter_pk)


def _lock_signatory(token: str) -> tuple[Letter, Signatory]:
    """Lock the letter, then the signatory; refuse a link that stopped working meanwhile."""
    found = Signatory.objects.filter(token=token).values_list("letter_id", flat=True).first()
    if found is None:
        raise SigningError("This link does not work.")
    letter = _lock(found)
    # The token may have been re-issued between the two reads.
    signatory = Signatory.objects.select_for_update().filter(token=token).first()
    if signatory is None:
        raise SigningError("This link does not work.")
    signatory.letter = letter
    if not link_is_live(signatory):
        raise SigningError("This link does not work.")
    return letter, signatory


def refresh_hash(letter: Letter) -> None:
    """
    Store the hash of the text as it is now. Every edit of the letter goes
    through letters/drafting.py, which touches it; but a draft also greets and
    names what the address book says today, and that changes with no edit of
    the letter: an office renamed or its greeting pattern changed, an
    official's name corrected, a term that starts or ends on a later day. So
    circulating, finalising and the lead's approval check the hash once more.
    """
    current = letter.compute_content_hash()
    if current != letter.content_hash:
        letter.content_hash = current
        letter.save(update_fields=["content_hash", "updated_at"])


def _needs_answer(signatory: Signatory, letter: Letter) -> bool:
    return not signatory.has_approved(letter.content_hash) and not signatory.declined_at


@dataclass
class Mailing:
    sent: list[Signatory] = field(default_factory=list)
    without_email: list[Signatory] = field(default_factory=list)
    failed: list[Signatory] = field(default_factory=list)


def mail_links(
    signatories: list[Signatory],
    *,
    letter: Letter,
    message: str,
    reminder: bool,
    request: HttpRequest | None = None,
) -> Mailing:
    """
    E-mail each organisation its private link. Called after the links are
    committed (so nobody gets a link that is not live) and outside any
    transaction (so a slow mail server holds no lock). A mail server that
    refuses is reported, never a 500: the coordinator can still copy the link.
    """
    result = Mailing()
    prefix = "Reminder: " if reminder else ""
    for signatory in signatories:
        address = signatory.organization.email
        if not address:
            result.without_email.append(signatory)
            continue
        deadline = timezone.localtime(signatory.token_expires_at).strftime("%-d %B %Y, %H:%M %Z")
        body = (
            f"{message.strip()}\n\n"
            f"Letter: {letter.reference}, {letter.subject}\n"
            "Your organisation's private link (please do not forward it):\n"
            f"{link_for(signatory, request)}\n\n"
            f"The link works until {deadline}.\n"
        )
        subject = f"{prefix}Please review and sign: {letter.subject}"
        try:
            EmailMessage(subject=subject, body=body, to=[address]).send()
        except (OSError, smtplib.SMTPException):
            logger.exception("Sign-on e-mail to %s failed", address)
            result.failed.append(signatory)
            continue
        result.sent.append(signatory)
        if reminder:
            with transaction.atomic():
                locked = Signatory.objects.select_for_update().get(pk=signatory.pk)
                locked.reminders_sent += 1
                locked.last_reminded_at = timezone.now()
                locked.save()
    return result


DEFAULT_MESSAGE = (
    "Dear colleagues,\n\n"
    "Please read the joint letter below and tell us whether your organisation will sign it. "
    "The link shows the full text as it will be printed."
)


@transaction.atomic
def circulate(*, letter: Letter, by, deadline: dt.datetime) -> list[Signatory]:
    """
    Open the letter for sign-on until `deadline` and give each co-signer a live
    private link. Calling it again while circulating moves the deadline;
    approvals already given stay as they are. Returns the co-signers still to
    answer, for `mail_links`.
    """
    letter = _lock(letter.pk)
    if refusal := letter.refusal("circulate"):
        raise SigningError(refusal)
    if deadline <= timezone.now():
        raise SigningError("The deadline must be in the future.")
    now = timezone.now()
    refresh_hash(letter)
    letter.move("circulate", by=by, sign_on_deadline=deadline)

    pending = []
    cosigners = letter.signatories.select_for_update().filter(role=SignatoryRole.COSIGNER)
    for signatory in cosigners.select_related("organization"):
        if signatory.invited_at is None or signatory.token_revoked_at is not None:
            # A fresh token at the first invitation: the default one has sat in
            # the database (and in copies of it) since the draft was made.
            signatory.token = new_token()
            signatory.token_revoked_at = None
        signatory.invited_at = signatory.invited_at or now
        signatory.token_expires_at = deadline
        signatory._history_user = by
        signatory.save()
        signatory.letter = letter
        if _needs_answer(signatory, letter):
            pending.append(signatory)
    return pending


@transaction.atomic
def reissue_link(*, signatory: Signatory, by) -> Signatory:
    """A new token for one organisation: the old link stops working at once."""
    letter = _lock(signatory.letter_id)
    signatory = Signatory.objects.select_for_update().get(pk=signatory.pk)
    if refusal := letter.refusal("issue_link"):
        raise SigningError(refusal)
    if letter.sign_on_deadline is None or letter.sign_on_deadline <= timezone.now():
        raise SigningError("The sign-on deadline has passed: set a new one first.")
    signatory.token = new_token()
    signatory.token_revoked_at = None
    signatory.token_expires_at = letter.sign_on_deadline
    signatory.invited_at = signatory.invited_at or timezone.now()
    signatory._history_user = by
    signatory.save()
    return signatory


@transaction.atomic
def revoke_link(*, signatory: Signatory, by) -> Signatory:
    _lock(signatory.letter_id)
    signatory = Signatory.objects.select_for_update().get(pk=signatory.pk)
    signatory.token_revoked_at = timezone.now()
    signatory._history_user = by
    signatory.save()
    return signatory


@transaction.atomic
def mark_opened(*, signatory: Signatory) -> None:
    if signatory.opened_at is None:
        # A plain UPDATE keeps two tabs opening at once from racing; history
        # need not record a page view.
        Signatory.objects.filter(pk=signatory.pk, opened_at__isnull=True).update(
            opened_at=timezone.now()
        )


def _keep_text(letter: Letter) -> None:
    ApprovedText.objects.get_or_create(
        letter=letter,
        content_hash=letter.content_hash,
        defaults={"snapshot": approvable_text(letter)},
    )


@transaction.atomic
def approve(
    *,
    token: str,
    content_hash: str,
    signer_name: str,
    signer_title: str,
    consent_to_publish: bool,
    signature: ContentFile | None = None,
) -> Signatory:
    """
    Approve the text whose hash the representative was shown. Approving the
    same text twice changes nothing but the details given; a text that
    changed while they read it is refused so they can read it again.
    """
    letter, signatory = _lock_signatory(token)
    if content_hash != letter.content_hash:
        raise TextChanged(
            "The letter changed while you were reading it. Please read the changes below "
            "and approve again."
        )
    signatory.signer_name = signer_name
    signatory.signer_title = signer_title
    signatory.consent_to_publish = consent_to_publish
    if signature is not None:
        assert signature.name, "letters.uploads.clean_image() names the file it returns"
        signatory.signature.save(signature.name, signature, save=False)
    if not signatory.has_approved(letter.content_hash):
        signatory.approved_at = timezone.now()
        signatory.approved_hash = letter.content_hash
        signatory.declined_at = None
        signatory.decline_reason = ""
        signatory.withdrawn_at = None
    signatory.save()
    _keep_text(letter)
    return signatory


@transaction.atomic
def decline(*, token: str, reason: str) -> Signatory:
    _letter, signatory = _lock_signatory(token)
    signatory.declined_at = timezone.now()
    signatory.decline_reason = reason
    signatory.withdrawn_at = None
    signatory.save()
    return signatory


def coordinator(letter: Letter):
    """Who circulated the letter (they sent the links), else who created it."""
    steps = Letter.history.filter(id=letter.pk).order_by("-history_date", "-history_id")
    user_id = None
    for status, by in steps.values_list("status", "history_user_id")[:500]:
        if status != LetterStatus.CIRCULATING and user_id is not None:
            break
        if status == LetterStatus.CIRCULATING and by is not None:
            user_id = by
    user_id = user_id or letter.created_by_id
    if user_id is None:
        return None
    return get_user_model().objects.filter(pk=user_id).first()


def mail_decline(signatory: Signatory, *, request: HttpRequest | None = None) -> bool:
    """
    Tell the coordinator that an organisation declined, with its reason.
    Called after the decline is committed; a mail server that refuses is
    logged, and the decline stands (the board shows it either way).
    """
    letter = signatory.letter
    to = coordinator(letter)
    if to is None or not to.email:
        return False
    body = (
        f"{signatory.organization.name} declined to sign {letter.reference}: {letter.subject}\n\n"
        f"Their reason: {signatory.decline_reason or '(none given)'}\n\n"
        f"The sign-on board: {absolute_url(letter.get_absolute_url(), request)}#sign-on\n"
    )
    subject = f"{signatory.organization.label} declined to sign {letter.reference}"
    try:
        EmailMessage(subject=subject, body=body, to=[to.email]).send()
    except (OSError, smtplib.SMTPException):
        logger.exception("Decline notice for letter %s failed", letter.pk)
        return False
    return True


@transaction.atomic
def withdraw(*, token: str) -> Signatory:
    """The organisation takes its approval back (possible until the letter is final)."""
    _letter, signatory = _lock_signatory(token)
    if signatory.approved_at is None:
        raise SigningError("There is no approval to withdraw.")
    signatory.withdrawn_at = timezone.now()
    signatory.save()
    return signatory


@transaction.atomic
def approve_for_lead(*, signatory: Signatory, by, signer_name: str, signer_title: str) -> None:
    """The coordinator works for the lead organisation and approves for it in the app."""
    letter = _lock(signatory.letter_id)
    signatory = Signatory.objects.select_for_update().get(pk=signatory.pk)
    if signatory.role != SignatoryRole.LEAD:
        raise SigningError("Co-signers approve through their own link.")
    if refusal := letter.refusal("approve_for_lead"):
        raise SigningError(refusal)
    if not signer_name.strip():
        raise SigningError("Enter the name of the person who signs for the lead organisation.")
    refresh_hash(letter)
    signatory.signer_name = signer_name.strip()
    signatory.signer_title = signer_title.strip()
    signatory.approved_at = timezone.now()
    signatory.approved_hash = letter.content_hash
    signatory.declined_at = None
    signatory.withdrawn_at = None
    signatory.consent_to_publish = True
    signatory._history_user = by
    signatory.save()
    _keep_text(letter)


# -- translations: each language's text approved on its own ----------------------------


def translation_approvals(letter: Letter) -> dict[int, str]:
    """For a translation, in one query: {signatory id: the content hash it approved}."""
    if not letter.is_translation:
        return {}
    return dict(
        TranslationApproval.objects.filter(translation=letter).values_list(
            "signatory_id", "content_hash"
        )
    )


def approves(
    signatory: Signatory, letter: Letter, approvals: dict[int, str], content_hash: str = ""
) -> bool:
    """
    Whether the signatory approved `letter`'s text (`content_hash`, by default the
    stored one): an original's approval is on the signatory, a translation's in
    `approvals` (`translation_approvals()`).
    """
    content_hash = content_hash or letter.content_hash
    if not letter.is_translation:
        return signatory.has_approved(content_hash)
    return (
        signatory.declined_at is None
        and signatory.withdrawn_at is None
        and approvals.get(signatory.pk) == content_hash
    )


def _approve_translation(signatory: Signatory, translation: Letter, content_hash: str) -> None:
    TranslationApproval.objects.update_or_create(
        signatory=signatory,
        translation=translation,
        defaults={"content_hash": content_hash, "approved_at": timezone.now()},
    )


@transaction.atomic
def approve_translation(*, token: str, translation_pk: int, content_hash: str) -> Letter:
    """
    A representative approves one translation of the letter their link is for,
    while the letter circulates: the exact text they were shown, or nothing.
    """
    letter, signatory = _lock_signatory(token)
    translation = (
        Letter.objects.select_for_update().filter(pk=translation_pk, translation_of=letter).first()
    )
    if translation is None:
        raise SigningError("This link does not work.")
    if refusal := translation.refusal("approve_for_lead"):
        raise SigningError(refusal)
    if signatory.declined_at or signatory.withdrawn_at:
        raise SigningError("Your organisation does not sign this letter: it declined or withdrew.")
    refresh_hash(translation)
    if content_hash != translation.content_hash:
        raise TextChanged(
            "The translation changed while you were reading it. Please read it again "
            "and approve again."
        )
    _approve_translation(signatory, translation, content_hash)
    return translation


@transaction.atomic
def approve_translation_for_lead(*, translation: Letter, by) -> Signatory:
    """The coordinator approves a translation's text for the lead organisation."""
    translation = _lock(translation.pk)
    if not translation.is_translation:
        raise SigningError("The lead approves an original letter with its signer's name.")
    if refusal := translation.refusal("approve_for_lead"):
        raise SigningError(refusal)
    lead = (
        Signatory.objects.select_related("organization")
        .filter(letter=translation.original, role=SignatoryRole.LEAD)
        .first()
    )
    if lead is None:
        raise SigningError("The original letter has no lead organisation.")
    refresh_hash(translation)
    _approve_translation(lead, translation, translation.content_hash)
    return lead


def pending_reminders(*, letter: Letter) -> list[Signatory]:
    """Co-signers with a live link who have neither approved the current text nor declined."""
    letter = Letter.objects.get(pk=letter.pk)
    if refusal := letter.refusal("remind"):
        raise SigningError(refusal)
    now = timezone.now()
    pending = []
    cosigners = letter.signatories.filter(role=SignatoryRole.COSIGNER)
    for signatory in cosigners.select_related("organization"):
        signatory.letter = letter
        if _needs_answer(signatory, letter) and link_is_live(signatory, now=now):
            pending.append(signatory)
    return pending


# -- open calls: anyone may offer a signature; a coordinator decides -----------------

FROZEN = "The text is frozen while the open call for signatures is open: close the call to edit it."


def open_call_on(letter: Letter, *, now: dt.datetime | None = None) -> SignOnCall | None:
    """The letter's call if it is taking signatures (one query)."""
    call = SignOnCall.objects.filter(letter=letter).first()
    return call if call is not None and call.is_open(now=now) else None


def text_frozen(letter: Letter) -> bool:
    """While a call is open nobody edits the text its signers confirm."""
    # Only a circulating letter can have an open call: drafts cost no query.
    return letter.status == LetterStatus.CIRCULATING and open_call_on(letter) is not None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_call_token(signature: CallSignature) -> str:
    token = secrets.token_urlsafe(32)
    signature.token_hash = _token_hash(token)
    return token


@dataclass
class Reconfirmation:
    """A confirmed signer of an older text, and the fresh link that asks them again."""

    signature: CallSignature
    token: str


@transaction.atomic
def open_call(
    *, letter: Letter, by, deadline: dt.datetime, intro: str, max_unconfirmed: int
) -> tuple[SignOnCall, list[Reconfirmation]]:
    """
    Open (or reopen) the letter's public call until `deadline`. A draft starts
    circulating; private links keep working beside the call. Signers who
    confirmed a text that has changed since get a new link, for
    `mail_reconfirmations`, and count again only once they confirm.
    """
    letter = _lock(letter.pk)
    if refusal := letter.refusal("circulate"):
        raise SigningError(refusal.replace("circulate for sign-on", "open a call"))
    if deadline <= timezone.now():
        raise SigningError("The deadline must be in the future.")
    refresh_hash(letter)
    if letter.status == LetterStatus.DRAFT:
        letter.move("circulate", by=by, sign_on_deadline=letter.sign_on_deadline or deadline)
    call, _ = SignOnCall.objects.select_for_update().get_or_create(
        letter=letter, defaults={"deadline": deadline}
    )
    call.deadline, call.intro, call.max_unconfirmed = deadline, intro, max_unconfirmed
    call.closed_at = None
    call.save()
    _keep_text(letter)
    stale = []
    confirmed = call.signatures.select_for_update().filter(
        status__in=[CallSignatureStatus.CONFIRMED, CallSignatureStatus.APPROVED]
    )
    for signature in confirmed.exclude(confirmed_hash=letter.content_hash):
        token = _new_call_token(signature)
        signature._history_user = by
        signature.save(update_fields=["token_hash"])
        stale.append(Reconfirmation(signature, token))
    return call, stale


@transaction.atomic
def close_call(*, call: SignOnCall, by) -> SignOnCall:
    """Stop taking signatures now; the text can be edited again."""
    _lock(call.letter_id)
    call = SignOnCall.objects.select_for_update().get(pk=call.pk)
    if call.closed_at is None:
        call.closed_at = timezone.now()
        call._history_user = by  # type: ignore[attr-defined]
        call.save(update_fields=["closed_at"])
    return call


@transaction.atomic
def submit(*, call: SignOnCall, signature: CallSignature) -> str:
    """
    Record an offer to sign from the public form, unconfirmed; returns the
    token for the confirmation e-mail. Refused once the call closed, and while
    the call already has its cap of unconfirmed offers (a flood of fake
    addresses costs the coalition nothing but a pause).
    """
    call = SignOnCall.objects.select_for_update().select_related("letter").get(pk=call.pk)
    if not call.is_open() or not call.letter.allows("sign"):
        raise SigningError("This call for signatures is closed.")
    if call.signatures.unconfirmed().count() >= call.max_unconfirmed:
        raise SigningError(
            "Too many signatures are waiting for confirmation right now. Please try again later."
        )
    signature.call = call
    signature.status = CallSignatureStatus.UNCONFIRMED
    token = _new_call_token(signature)
    signature.save()
    return token


def call_link(token: str, request: HttpRequest | None = None) -> str:
    return absolute_url(reverse("public:signing_call_confirm", args=[token]), request)


def mail_confirmation(
    signature: CallSignature, token: str, *, request: HttpRequest | None = None
) -> bool:
    """The link that confirms an offer to sign. A refusing mail server is logged, not a 500."""
    letter = signature.call.letter
    body = (
        f'Thank you for offering to sign "{letter.subject}" on behalf of '
        f"{signature.organization_name}.\n\n"
        "Please confirm by opening this link (it is for you alone):\n"
        f"{call_link(token, request)}\n\n"
        "Your signature counts once you confirm and the coordinators have checked it.\n"
        "If you did not fill in the form, ignore this message.\n"
    )
    return _send(f"Please confirm your signature: {letter.subject}", body, signature)


def _send(subject: str, body: str, signature: CallSignature) -> bool:
    try:
        EmailMessage(subject=subject, body=body, to=[signature.contact_email]).send()
    except (OSError, smtplib.SMTPException):
        logger.exception("Open-call message for signature %s failed", signature.pk)
        return False
    return True


def _plain_changes(old: dict, new: dict) -> str:
    """The sign-on diff as plain text: [-removed-] and {+added+}, as `git diff --word-diff` does."""
    lines = []
    for change in diff_snapshots(old, new):
        text = (
            str(change.html)
            .replace("<del>", "[-")
            .replace("</del>", "-]")
            .replace("<ins>", "{+")
            .replace("</ins>", "+}")
        )
        lines.append(f"{change.label} ({change.kind}):\n{html.unescape(text)}\n")
    return "\n".join(lines) or "Only the letter's settings changed; the text reads the same.\n"


def mail_reconfirmations(
    stale: list[Reconfirmation], *, letter: Letter, request: HttpRequest | None = None
) -> int:
    """Tell each signer of an older text what changed; returns how many messages went."""
    current = approvable_text(letter)
    kept = dict(ApprovedText.objects.filter(letter=letter).values_list("content_hash", "snapshot"))
    sent = 0
    for item in stale:
        old = kept.get(item.signature.confirmed_hash)
        changes = _plain_changes(old, current) if old is not None else ""
        body = (
            f'The text of "{letter.subject}", which {item.signature.organization_name} '
            "confirmed it would sign, has changed. What changed:\n\n"
            f"{changes}\n"
            "Please read the letter again and confirm, or drop out, here:\n"
            f"{call_link(item.token, request)}\n\n"
            "Until you confirm, your signature does not count for the new text.\n"
        )
        sent += _send(
            f"The letter changed: please confirm again: {letter.subject}", body, item.signature
        )
    return sent


def call_signature_for_token(token: str) -> CallSignature | None:
    """The offer a confirmation link belongs to, while its letter takes signatures."""
    if not token or len(token) > 64:
        return None
    signature = (
        CallSignature.objects.select_related("call__letter")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    if signature is None or signature.status in (
        CallSignatureStatus.REJECTED,
        CallSignatureStatus.WITHDRAWN,
    ):
        return None
    if not signature.call.letter.allows("sign"):
        return None
    return signature


def _lock_call_signature(token: str) -> tuple[Letter, CallSignature]:
    found = call_signature_for_token(token)
    if found is None:
        raise SigningError("This link does not work.")
    letter = _lock(found.call.letter_id)
    signature = CallSignature.objects.select_for_update().get(pk=found.pk)
    if call_signature_for_token(token) is None:
        raise SigningError("This link does not work.")
    signature.call.letter = letter
    return letter, signature


def _counting_signatory(signature: CallSignature) -> Signatory | None:
    if signature.signatory_id is None:
        return None
    return Signatory.objects.select_for_update().get(pk=signature.signatory_id)


@transaction.atomic
def confirm(*, token: str, content_hash: str) -> CallSignature:
    """
    The contact confirms the text they were shown. A first confirmation puts the
    offer in the moderation queue; a confirmation of a changed text, once
    approved, makes the organisation's approval count for the new text.
    """
    letter, signature = _lock_call_signature(token)
    if content_hash != letter.content_hash:
        raise TextChanged("The letter changed while you were reading it. Please read it again.")
    if signature.status == CallSignatureStatus.UNCONFIRMED:
        signature.status = CallSignatureStatus.CONFIRMED
    signature.confirmed_at = timezone.now()
    signature.confirmed_hash = letter.content_hash
    signature.save()
    signatory = _counting_signatory(signature)
    if signatory is not None and signature.status == CallSignatureStatus.APPROVED:
        signatory.approved_at = timezone.now()
        signatory.approved_hash = letter.content_hash
        signatory.withdrawn_at = None
        signatory.save()
    _keep_text(letter)
    return signature


@transaction.atomic
def drop_out(*, token: str) -> CallSignature:
    """The organisation no longer signs: its approval, if any, is withdrawn."""
    _letter, signature = _lock_call_signature(token)
    signature.status = CallSignatureStatus.WITHDRAWN
    signature.token_hash = ""
    signature.save()
    signatory = _counting_signatory(signature)
    if signatory is not None and signatory.from_open_call:
        # It came from the call alone: gone from the letter, so it neither
        # prints nor holds up finalising (the history keeps the record).
        signature.signatory = None
        signature.save(update_fields=["signatory"])
        signatory.delete()
    elif signatory is not None:
        signatory.withdrawn_at = timezone.now()
        signatory.save()
    return signature


class Moderation:
    APPROVE = "approve"
    REJECT = "reject"
    MERGE = "merge"
    CHOICES = [(APPROVE, "Approve"), (REJECT, "Reject"), (MERGE, "Merge with an organisation")]


@dataclass
class Moderated:
    done: list[CallSignature] = field(default_factory=list)
    skipped: list[tuple[CallSignature, str]] = field(default_factory=list)


@transaction.atomic
def moderate(
    *,
    call: SignOnCall,
    signature_pks: list[int],
    action: str,
    by,
    organization: Organization | None = None,
) -> Moderated:
    """
    Approve, reject or merge offers in bulk. Approving (or merging with an
    existing organisation) creates or links the Organization and a Signatory
    approved for the text the contact confirmed, which must be the current
    one; an unconfirmed offer is never approved.
    """
    letter = _lock(call.letter_id)
    if refusal := letter.refusal("approve_for_lead"):
        raise SigningError(refusal)
    if action == Moderation.MERGE and organization is None:
        raise SigningError("Choose the organisation to merge with.")
    result = Moderated()
    signatures = call.signatures.select_for_update().filter(pk__in=signature_pks)
    for signature in signatures.order_by("submitted_at", "pk"):
        if action == Moderation.REJECT:
            signature.status = CallSignatureStatus.REJECTED
        elif reason := _approval_refusal(signature, letter):
            result.skipped.append((signature, reason))
            continue
        else:
            _approve(signature, letter, organization=organization, by=by)
        signature.moderated_at = timezone.now()
        signature._history_user = by
        signature.save()
        result.done.append(signature)
    return result


def _approval_refusal(signature: CallSignature, letter: Letter) -> str:
    if signature.status == CallSignatureStatus.UNCONFIRMED:
        return "not confirmed by e-mail yet"
    if signature.status == CallSignatureStatus.WITHDRAWN:
        return "dropped out"
    if signature.confirmed_hash != letter.content_hash:
        return "confirmed an older text: waiting for them to confirm again"
    return ""


def country_code(typed: str) -> str:
    """
    The directory's country for what the public form was given ("Japan",
    "japan", "JP"), or "" when it names none: the count line counts countries.
    """
    typed = typed.strip()
    if len(typed) == 2 and typed.upper() in countries:
        return typed.upper()
    return countries.by_name(typed, insensitive=True) or ""


def _approve(
    signature: CallSignature, letter: Letter, *, organization: Organization | None, by
) -> None:
    if organization is None:
        organization = Organization.objects.filter(
            name__iexact=signature.organization_name
        ).first() or Organization.objects.create(
            name=signature.organization_name,
            country=country_code(signature.country),
            website=signature.website,
            email=signature.contact_email,
        )
    signatory = letter.signatories.select_for_update().filter(organization=organization).first()
    if signatory is None:
        last = letter.signatories.order_by("-order").values_list("order", flat=True).first()
        signatory = Signatory(
            letter=letter,
            organization=organization,
            role=SignatoryRole.COSIGNER,
            order=(last or 0) + 1,
            from_open_call=True,
        )
    signatory.signer_name = signatory.signer_name or signature.signer_name
    signatory.signer_title = signatory.signer_title or signature.signer_title
    signatory.consent_to_publish = signature.consent_to_publish
    signatory.approved_at = timezone.now()
    signatory.approved_hash = letter.content_hash
    signatory.declined_at = None
    signatory.withdrawn_at = None
    signatory._history_user = by
    signatory.save()
    signature.status = CallSignatureStatus.APPROVED
    signature.organization = organization
    signature.signatory = signatory


def counted(letter: Letter) -> list[Signatory]:
    """Every organisation whose approval counts for the current text (one query)."""
    return list(
        letter.signatories.filter(
            approved_at__isnull=False,
            approved_hash=letter.content_hash,
            declined_at__isnull=True,
            withdrawn_at__isnull=True,
        )
        .select_related("organization")
        .order_by("organization__name")
    )
