"""Update rounds: who is asked, what counts, the reminder limit and the figures (recommendations.rounds)."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from recommendations import rounds
from recommendations.models import (
    Approval,
    Notification,
    NotificationKind,
    ProgressUpdate,
    RoundReminder,
    Status,
    UpdateRound,
)
from recommendations.services import StaleActionError
from recommendations.tests.factories import (
    ActionFactory,
    PeerChallengeFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
)
from recommendations.tests.tasks import run_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(officer, other_officer, coordinator):
    challenge = PeerChallengeFactory()
    recommendation = RecommendationFactory(theme__challenge=challenge)
    return {
        "challenge": challenge,
        "olivia": [
            ActionFactory(recommendation=recommendation, reference="1.1", lead_officer=officer),
            ActionFactory(recommendation=recommendation, reference="1.2", lead_officer=officer),
        ],
        "owen": [ActionFactory(recommendation=recommendation, reference="1.3", lead_officer=other_officer)],
        "unassigned": [ActionFactory(recommendation=recommendation, reference="1.4")],
        "complete": [
            ActionFactory(recommendation=recommendation, reference="1.5", lead_officer=officer, status=Status.COMPLETE)
        ],
    }


def open_round(plan, coordinator, **kwargs):
    return rounds.open_round(
        challenge=plan["challenge"],
        by=coordinator,
        title="Quarter 3 2024/25 – for scrutiny on 14 March 2025",
        deadline=timezone.localdate() + datetime.timedelta(days=14),
        **kwargs,
    )


def test_each_lead_gets_one_email_listing_their_actions_after_commit(
    plan, coordinator, officer, other_officer, django_capture_on_commit_callbacks
):
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        update_round = open_round(plan, coordinator)
        assert mail.outbox == []  # nothing before the transaction commits
    assert len(callbacks) == 2
    run_tasks()  # the worker sends what the commit queued
    assert sorted(message.to[0] for message in mail.outbox) == sorted([officer.email, other_officer.email])
    olivia = next(message for message in mail.outbox if message.to == [officer.email])
    assert "1.1" in olivia.body and "1.2" in olivia.body and "1.3" not in olivia.body
    assert "1.5" not in olivia.body  # complete actions are not in the round by default
    assert f"/rounds/{update_round.pk}/" in olivia.body
    assert set(update_round.actions.values_list("reference", flat=True)) == {"1.1", "1.2", "1.3", "1.4"}


def test_a_round_rolled_back_sends_nothing(plan, coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with pytest.raises(ValidationError):
            open_round(plan, coordinator, actions=[])
    assert callbacks == [] and mail.outbox == []


def test_only_one_open_round_per_challenge(plan, coordinator):
    open_round(plan, coordinator)
    with pytest.raises(ValidationError, match="already has an open update round"):
        open_round(plan, coordinator)


def test_progress_counts_updates_made_while_open_and_not_returned(plan, coordinator, officer):
    update_round = open_round(plan, coordinator)
    ProgressUpdateFactory(action=plan["olivia"][0], author=officer)
    ProgressUpdateFactory(action=plan["owen"][0], published=False, approval=Approval.RETURNED, return_reason="Say more")
    progress = rounds.round_progress(update_round)
    assert (progress.overall.updated, progress.overall.total, progress.overall.percent) == (1, 4, 25)
    by_lead = {tally.label: (tally.updated, tally.total) for tally in progress.by_lead}
    assert by_lead == {"Olivia Officer": (1, 2), "Owen Other": (0, 1), rounds.UNASSIGNED: (0, 1)}
    assert [tally.label for tally in progress.outstanding_leads] == ["Olivia Officer", "Owen Other"]


def test_reminders_go_only_to_outstanding_leads_once_a_day(plan, coordinator, officer, other_officer):
    update_round = open_round(plan, coordinator)
    for action in plan["olivia"]:
        ProgressUpdateFactory(action=action, author=officer)
    first = rounds.send_round_reminders(update_round=update_round, by=coordinator)
    assert first.sent == [other_officer]
    second = rounds.send_round_reminders(update_round=update_round, by=coordinator)
    assert second.sent == [] and [lead for lead, _ in second.skipped] == [other_officer]
    assert RoundReminder.objects.filter(round=update_round).count() == 1
    assert Notification.objects.filter(kind=NotificationKind.ROUND_REMINDER).count() == 1


def test_closing_fixes_the_figures(plan, coordinator, officer):
    update_round = open_round(plan, coordinator)
    update_round = rounds.close_round(update_round=update_round, by=coordinator)
    ProgressUpdateFactory(action=plan["olivia"][0], author=officer)
    assert rounds.round_progress(update_round).overall.updated == 0
    with pytest.raises(ValidationError):
        rounds.send_round_reminders(update_round=update_round, by=coordinator)


def test_updates_before_opening_do_not_count_and_awaiting_ones_do(plan, coordinator, officer, other_officer):
    ProgressUpdateFactory(action=plan["olivia"][0], author=officer)  # before the round opened
    update_round = open_round(plan, coordinator)
    ProgressUpdateFactory(action=plan["owen"][0], author=other_officer, published=False, approval=Approval.AWAITING)

    progress = rounds.round_progress(update_round)

    by_lead = {tally.label: tally.updated for tally in progress.by_lead}
    assert by_lead == {"Olivia Officer": 0, "Owen Other": 1, rounds.UNASSIGNED: 0}


def test_a_lead_who_left_the_council_is_not_asked_and_their_actions_show_as_unassigned(plan, coordinator, officer):
    from recommendations.models import Membership

    Membership.objects.filter(user=officer).delete()
    Notification.objects.all().delete()

    update_round = open_round(plan, coordinator)

    assert not Notification.objects.filter(recipient=officer).exists()
    unassigned = next(tally for tally in rounds.round_progress(update_round).by_lead if tally.lead is None)
    assert {action.reference for action in unassigned.outstanding} == {"1.1", "1.2", "1.4"}


def test_the_list_figures_agree_with_round_progress(plan, coordinator, officer, other_officer):
    update_round = open_round(plan, coordinator)
    ProgressUpdateFactory(action=plan["olivia"][0], author=officer)
    ProgressUpdateFactory(action=plan["olivia"][0], author=officer)  # a second update counts once
    ProgressUpdateFactory(action=plan["owen"][0], published=False, approval=Approval.RETURNED, return_reason="Say more")

    listed = rounds.with_figures(UpdateRound.objects.filter(pk=update_round.pk)).get()
    progress = rounds.round_progress(update_round)

    assert (listed.updated_count, listed.action_count) == (progress.overall.updated, progress.overall.total) == (1, 4)
    assert rounds.percent(listed.updated_count, listed.action_count) == progress.overall.percent == 25
    closed = rounds.close_round(update_round=update_round, by=coordinator)
    ProgressUpdateFactory(action=plan["owen"][0], author=other_officer)  # after closing: not counted
    listed = rounds.with_figures(UpdateRound.objects.filter(pk=closed.pk)).get()
    assert listed.updated_count == rounds.round_progress(closed).overall.updated == 1


def update_fields(action, text, **overrides):
    action.refresh_from_db()
    return {
        "seen_version": action.version,
        "status": Status.ON_TRACK,
        "text": text,
        "date": timezone.localdate(),
        **overrides,
    }


def test_several_updates_are_saved_together(plan, officer):
    first, second = plan["olivia"]

    saved = rounds.record_round_updates(
        author=officer, updates=[(first, update_fields(first, "One")), (second, update_fields(second, "Two"))]
    )

    assert [update.text for update in saved] == ["One", "Two"]
    assert first.progress_updates.filter(text="One").exists() and second.progress_updates.filter(text="Two").exists()


def test_one_refused_update_saves_none_and_sends_nothing(
    plan, officer, coordinator, django_capture_on_commit_callbacks
):
    plan["challenge"].updates_need_approval = True  # each saved update would tell the coordinators
    plan["challenge"].save()
    first, second = plan["olivia"]
    stale = update_fields(second, "Stale")
    ProgressUpdateFactory(action=second, author=coordinator)
    incomplete = update_fields(first, "Complete, no evidence", status=Status.COMPLETE)
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(rounds.RoundUpdatesRefused) as refused:
            rounds.record_round_updates(
                author=officer,
                updates=[
                    (plan["owen"][0], update_fields(plan["owen"][0], "Fine", published=True)),
                    (first, incomplete),
                    (second, stale),
                ],
            )

    assert set(refused.value.errors) == {first.pk, second.pk}
    assert "completion_evidence" in refused.value.errors[first.pk].message_dict
    assert isinstance(refused.value.errors[second.pk], StaleActionError)
    assert not ProgressUpdate.objects.filter(text__in=["Fine", "Complete, no evidence", "Stale"]).exists()
    assert callbacks == [] and not Notification.objects.exists() and mail.outbox == []


def test_themes_are_listed_by_number_whatever_the_recommendations_order(coordinator):
    from recommendations.tests.factories import ThemeFactory

    challenge = PeerChallengeFactory()
    later, earlier = ThemeFactory(challenge=challenge, number=2), ThemeFactory(challenge=challenge, number=1)
    ActionFactory(recommendation=RecommendationFactory(theme=later, challenge=challenge, number=1))
    ActionFactory(recommendation=RecommendationFactory(theme=earlier, challenge=challenge, number=2))
    update_round = rounds.open_round(challenge=challenge, by=coordinator, title="Round", deadline=timezone.localdate())

    labels = [tally.label for tally in rounds.round_progress(update_round).by_theme]

    assert labels == [f"Theme 1: {earlier.title}", f"Theme 2: {later.title}"]
