from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recommendations"

    def ready(self):
        from . import (
            evidence,  # noqa: F401  (removes a stored file when its record is deleted)
            notifications,  # noqa: F401  (connects who-is-told-what to saves)
        )
