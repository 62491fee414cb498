"""Background tasks of the reports app (django-tasks; run by `manage.py db_worker`)."""

from django_tasks import task


@task()
def make_pdf(prepared_pk, base_url=None):
    """Make a committee report's or a progress review pack's PDF (reports.prepared)."""
    from .prepared import make

    return make(prepared_pk, base_url=base_url)
