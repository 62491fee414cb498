"""Create one demo user per role for trying CPC Tracker locally. Refuses to run with DEBUG off.

`make run` runs it every time it starts, so it never undoes what people did since: a demo user that
exists already is left exactly as it is (its password, its roles, the actions it leads). A user is
created, with its role at the challenge's council and the demo actions it leads (those nobody leads
yet), only when it does not exist.

Coordinators and administrators must sign in with a code too (cpc_tracker/two_factor.py): a demo
user of theirs is created with an authenticator app whose secret is DEMO_TOTP_KEY, published here
and in the README, so anyone trying the app can add it to an app or print the current code.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from cpc_tracker.two_factor import secret_text, two_factor_required
from recommendations.models import Action, Membership, PeerChallenge, Role
from recommendations.services import change_action

DEMO_PASSWORD = "demo-only-password"
# The demo coordinator's and administrator's authenticator secret: 20 bytes, public, demo only.
DEMO_TOTP_KEY = b"cpc-tracker-demo-key"
DEMO_CODE_COMMAND = (
    '.venv/bin/python -c \'from django_otp.oath import totp; print("%06d" % totp(b"cpc-tracker-demo-key"))\''
)

# username, first name, last name, role at the council (None: the site administrator), recommendation
# numbers whose actions they lead
DEMO_USERS = [
    ("officer", "Olivia", "Officer", Role.OFFICER, [10, 11]),
    ("officer2", "Owen", "Officer", Role.OFFICER, [5]),
    ("coordinator", "Cora", "Coordinator", Role.COORDINATOR, []),
    ("scrutiny", "Sam", "Scrutiny", Role.SCRUTINY_MEMBER, []),
    ("admin", "Ada", "Admin", None, []),
]


def _numbers(numbers):
    words = [str(n) for n in numbers]
    text = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
    return f"recommendation{'' if len(words) == 1 else 's'} {text}"


class Command(BaseCommand):
    help = (
        "Create the demo users officer, officer2, coordinator, scrutiny and admin (DEBUG only). "
        "Users that exist already are left as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--challenge",
            default="stockport-cpc-2022",
            help="The challenge whose council the demo users work for and whose actions the officers lead.",
        )

    def handle(self, *args, challenge, **options):
        if not settings.DEBUG:
            raise CommandError("Demo users are for local development only: set DEBUG=true to create them.")
        found = PeerChallenge.objects.select_related("council").filter(slug=challenge).first()
        if found is None:
            raise CommandError(
                f"There is no challenge '{challenge}' to attach the demo users to: load it first, "
                "e.g. manage.py load_challenge stockport_cpc"
            )
        self.create_demo_users(found)

    @transaction.atomic
    def create_demo_users(self, challenge):
        council = challenge.council
        self.stdout.write(f"Demo users of {council.name} (demo only):")
        created = 0
        for username, first_name, last_name, role, led in DEMO_USERS:
            if get_user_model().objects.filter(username=username).exists():
                self.stdout.write(
                    f"  Kept {username}: it exists already, so its password, role and actions are as they were"
                )
                continue
            user = self.create_user(username, first_name, last_name, superuser=role is None)
            created += 1
            if role is not None:
                Membership.objects.create(user=user, council=council, role=role)
            code = self.add_demo_authenticator(user)
            if role is None:
                self.stdout.write(f"  Created {username} ({first_name} {last_name}): site administrator{code}")
                continue
            leads = self.assign_leads(user, challenge, led) if led else ""
            self.stdout.write(f"  Created {username} ({first_name} {last_name}): {role.label}{leads}{code}")
        if created:
            self.stdout.write(f"Sign in as any user created now with the password {DEMO_PASSWORD}")
        else:
            self.stdout.write("Every demo user exists already: nothing changed")
        self.explain_codes()

    def add_demo_authenticator(self, user):
        """A new demo coordinator or administrator gets the demo authenticator app."""
        if not two_factor_required(user):
            return ""
        TOTPDevice.objects.create(user=user, name="Demo authenticator app", key=DEMO_TOTP_KEY.hex(), confirmed=True)
        return "; signs in with a code from the demo authenticator app"

    def explain_codes(self):
        """How to get the code, every run, while a demo user has the demo authenticator app."""
        usernames = [username for username, *_ in DEMO_USERS]
        with_demo_app = TOTPDevice.objects.filter(
            user__username__in=usernames, key=DEMO_TOTP_KEY.hex(), confirmed=True
        ).values_list("user__username", flat=True)
        if not with_demo_app:
            return
        self.stdout.write(
            f"{' and '.join(sorted(with_demo_app))} also enter a 6-digit code after the password (demo only): "
            f"add the setup key {secret_text(TOTPDevice(key=DEMO_TOTP_KEY.hex()))} (time-based) to an authenticator "
            f"app, or print the current code with\n  {DEMO_CODE_COMMAND}"
        )

    def create_user(self, username, first_name, last_name, *, superuser):
        create = get_user_model().objects.create_superuser if superuser else get_user_model().objects.create_user
        return create(
            username=username,
            email=f"{username}@example.org",
            password=DEMO_PASSWORD,
            first_name=first_name,
            last_name=last_name,
        )

    def assign_leads(self, user, challenge, numbers):
        """Make a new demo officer the lead of the actions under these recommendations that nobody
        leads, through the same service as the action form, so the history shows it."""
        actions = Action.objects.filter(
            recommendation__challenge=challenge, recommendation__number__in=numbers, lead_officer=None
        ).order_by("recommendation__number", "reference")
        assigned = 0
        for action in actions:
            try:
                change_action(action=action, author=None, seen_version=action.version, lead_officer=user)
            except ValidationError as error:
                self.stderr.write(f"  Could not make {user.username} the lead of action {action.reference}: {error}")
                continue
            assigned += 1
        if not assigned:
            return f"; leads no actions (those under {_numbers(numbers)} have leads already)"
        return f"; leads {assigned} action{'' if assigned == 1 else 's'} under {_numbers(numbers)}"
