from django.apps import AppConfig


class ArgmapConfig(AppConfig):
    name = "argmap"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from argmap import signals  # noqa: F401  (connects the receivers)
