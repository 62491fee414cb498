from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"

    def ready(self):
        # indicators registers who may read and edit an indicator; indicator_rounds asks indicator
        # owners for the figures due when an update round opens.
        from . import indicator_rounds, indicators  # noqa: F401
