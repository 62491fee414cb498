"""E-mail sent in the background (django-tasks; settings.TASKS): a request records what to send and
queues a task after its transaction commits; the worker (`manage.py db_worker`) sends it. No request
talks to the mail server."""

from django_tasks import task


@task()
def send_notification_emails(pks, base_url=None):
    """E-mail these notifications, each at most once (claimed by a conditional UPDATE, retried by
    `manage.py send_notifications` when they fail). Returns how many were sent."""
    from .notifications import deliver

    return deliver(pks, base_url=base_url)


@task()
def send_invitation_email(invitation_pk):
    """E-mail an invitation its link. Returns whether it was sent."""
    from .invitations import send_invitation

    return send_invitation(invitation_pk)
