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
