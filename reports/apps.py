from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "Committee reports and open data"

    def ready(self):
        from . import permissions  # noqa: F401  (registers the rules)
