"""Create one demo user per role for trying CPC Tracker locally. Refuses to run with DEBUG off."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from recommendations.models import Action
from recommendations.roles import COORDINATOR, OFFICER, SCRUTINY_MEMBER

DEMO_PASSWORD = "demo-only-password"

# username, first name, last name, group (None for the admin), recommendation numbers they lead
DEMO_USERS = [
    ("officer", "Olivia", "Officer", OFFICER, [10, 11]),
    ("officer2", "Owen", "Officer", OFFICER, [5]),
    ("coordinator", "Cora", "Coordinator", COORDINATOR, []),
    ("scrutiny", "Sam", "Scrutiny", SCRUTINY_MEMBER, []),
    ("admin", "Ada", "Admin", None, []),
]


class Command(BaseCommand):
    help = "Create demo users (officer, officer2, coordinator, scrutiny, admin) when DEBUG is on."

    def add_arguments(self, parser):
        parser.add_argument("--challenge", default="stockport-cpc-2022", help="whose actions the demo officers lead")

    def handle(self, *args, challenge, **options):
        if not settings.DEBUG:
            raise CommandError("Demo users are for local development only: set DEBUG=true to create them.")
        self.create_demo_users(challenge)

    @transaction.atomic
    def create_demo_users(self, challenge):
        User = get_user_model()
        for username, first_name, last_name, group_name, led in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first_name, "last_name": last_name, "email": f"{username}@example.org"},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
            if group_name is None:
                user.is_staff = user.is_superuser = True
            else:
                user.groups.add(Group.objects.get(name=group_name))
            user.save()
            if led:
                Action.objects.filter(
                    recommendation__challenge__slug=challenge, recommendation__number__in=led, lead_officer=None
                ).update(lead_officer=user)
            self.stdout.write(f"{'Created' if created else 'Kept'} demo user {username} ({group_name or 'admin'})")
        self.stdout.write(f"Demo password for all of them: {DEMO_PASSWORD} (demo only)")
