from django.apps import AppConfig


def on_holder_changed(sender, *, change, by=None, **kwargs):
    """recipients.signals.holder_changed: the drafts to that office follow."""
    from letters.drafting import follow_holder_change

    return follow_holder_change(change=change, by=by)


class LettersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "letters"

    def ready(self) -> None:
        from letters import checks  # noqa: F401 - registers the printing checks
        from recipients.signals import holder_changed

        holder_changed.connect(on_holder_changed, dispatch_uid="letters.follow_holder_change")
        _connect_tracking_cache()


def _connect_tracking_cache() -> None:
    """Every write the cached figures and pages read from makes them out of date."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from letters import tracking_cache
    from letters.models import (
        FollowUp,
        Letter,
        LetterRecipient,
        Organization,
        PressRelease,
        Quote,
        Recommendation,
        Section,
        SentCopy,
        Signatory,
        Theme,
    )
    from recipients.models import MailingList, Official, Position, Term

    # Organisations: the public index names each letter's lead, the editor lists them.
    # The rest: a published letter's page, a sign-on page's letter text and the
    # editor's blocks ({% cached_block %}) are cached under the token too
    # (letters/views/public.py, letters/views/signing.py), and a draft's
    # addressee is its office's current holder (the address book).
    for model in (
        FollowUp,
        Letter,
        Organization,
        Recommendation,
        Theme,
        Section,
        LetterRecipient,
        Signatory,
        PressRelease,
        Quote,
        SentCopy,
        Position,
        Term,
        Official,
        MailingList,
    ):
        uid = f"letters.tracking_cache.{model.__name__}"
        post_save.connect(tracking_cache.changed, sender=model, dispatch_uid=uid)
        post_delete.connect(tracking_cache.changed, sender=model, dispatch_uid=uid)
    m2m_changed.connect(
        tracking_cache.changed,
        sender=Recommendation.themes.through,
        dispatch_uid="letters.tracking_cache.themes",
    )
