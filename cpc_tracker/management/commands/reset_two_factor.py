"""Reset a user's two-factor sign-in: for someone who lost their phone and their backup codes.

Removes the user's authenticator app and backup codes, and ends every session they are signed in
with, so whoever holds one must sign in again with the password. At their next sign-in a
coordinator or administrator sets up a new authenticator app (required); anyone else signs in with
their password alone until they turn two-factor sign-in on again. Check who is asking first: the
reset is what stands between a stolen password and the account.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cpc_tracker.two_factor import remove_devices, two_factor_required

DATABASE_SESSIONS = {"django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"}


def end_sessions(user):
    """Delete the user's sessions (database sessions only), through the session engine so that a
    cached copy (cached_db) goes too. Returns how many."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            store(session_key=session.session_key).delete()
            ended += 1
    return ended


class Command(BaseCommand):
    help = (
        "Remove a user's two-factor devices (authenticator app and backup codes) and end their sessions, "
        "for someone who has lost both. They set up two-factor sign-in again when they next sign in."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user '{username}'")
        with transaction.atomic():
            removed = remove_devices(user)
            if settings.SESSION_ENGINE in DATABASE_SESSIONS:
                sessions = f"ended {self.count(end_sessions(user), 'session')}"
            else:
                sessions = f"could not end their sessions ({settings.SESSION_ENGINE}): they end when they expire"
        self.stdout.write(
            f"Reset two-factor sign-in for {username}: removed {self.count(removed, 'device')}, {sessions}."
        )
        if two_factor_required(user):
            self.stdout.write(f"{username} must set up a new authenticator app when they next sign in.")
        else:
            self.stdout.write(
                f"{username} signs in with their password alone until they turn two-factor sign-in on again."
            )

    @staticmethod
    def count(n, noun):
        return f"{n} {noun}{'' if n == 1 else 's'}"
