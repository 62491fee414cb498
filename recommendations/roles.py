"""The roles people have at a council in CPC Tracker (see recommendations.permissions for what each may do)."""

from .models import Role

OFFICER = Role.OFFICER
COORDINATOR = Role.COORDINATOR
SCRUTINY_MEMBER = Role.SCRUTINY_MEMBER
