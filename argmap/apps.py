from django.apps import AppConfig


class ArgmapConfig(AppConfig):
    name = "argmap"
    default_auto_field = "django.db.models.BigAutoField"
