from django.apps import AppConfig


class LettersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "letters"

    def ready(self) -> None:
        from letters import checks  # noqa: F401 - registers the printing checks
