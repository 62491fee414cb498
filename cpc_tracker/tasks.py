"""Site-wide background tasks (django-tasks; run by `manage.py db_worker`)."""

from django_tasks import task


@task()
def send_password_reset_email(email):
    """E-mail a password reset link to the active accounts with this address (cpc_tracker.passwords)."""
    from .passwords import send_reset_email

    return send_reset_email(email)
