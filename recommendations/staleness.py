"""How long since an action's last progress update, as a reader may see it.

The update that counts is the one the reader's status comes from (recommendations.publication):
the council's own staff and councillors see the working status, so its newest counting update;
everyone else the public status, so the newest published update. Lists and filters of stale
actions ("no update in 90 days") use the working update too (recommendations.rounds.stale).
"""

from django.utils import timezone

from .publication import sees_working_status

DAYS_IN_A_MONTH = 30.44
MONTHS_SHOWN_AS_DAYS = 2  # up to about two months we count days ("45 days ago")


def last_update_for(action, user, challenge=None):
    """The progress update `user` reads as the action's latest: working for members, public otherwise."""
    challenge = challenge or action.recommendation.challenge
    return action.working_update if sees_working_status(user, challenge) else action.public_update


def days_since(date, today=None):
    if date is None:
        return None
    return ((today or timezone.localdate()) - date).days


def age(date, today=None):
    """'Today', 'Yesterday', '45 days ago', '3 months ago', '2 years ago'; 'No update yet' for none."""
    days = days_since(date, today)
    if days is None:
        return "No update yet"
    if days <= 0:
        return "Today"
    if days == 1:
        return "Yesterday"
    if days < MONTHS_SHOWN_AS_DAYS * DAYS_IN_A_MONTH:
        return f"{days} days ago"
    if days < 2 * 365:
        return f"{round(days / DAYS_IN_A_MONTH)} months ago"
    return f"{days // 365} years ago"
