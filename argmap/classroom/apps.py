from django.apps import AppConfig


class ClassroomConfig(AppConfig):
    name = "argmap.classroom"
    label = "classroom"
    verbose_name = "Classes and exercises"
    default_auto_field = "django.db.models.BigAutoField"
