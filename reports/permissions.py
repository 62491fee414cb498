"""Who may do what with committee reports. Each rule has its queryset twin.

- Coordinators and admins (``recommendations.manage_action_plan``) create and issue reports.
- Anyone signed in (officers, scrutiny committee members) reads every report, drafts included.
- The public reads issued reports only: they are committee papers. Drafts ask them to sign in.
"""

import rules

from recommendations.permissions import manages_action_plan

from .models import CommitteeReport


@rules.predicate
def is_issued(user, report):
    return report is not None and report.is_issued


can_read_report = (rules.is_authenticated & rules.is_active) | is_issued
can_manage_reports = rules.is_authenticated & rules.is_active & manages_action_plan

rules.add_perm("reports.view_report", can_read_report)
rules.add_perm("reports.create_report", can_manage_reports)
rules.add_perm("reports.issue_report", can_manage_reports)


def readable_reports(user):
    """The reports `user` may read: the queryset twin of can_read_report."""
    if user.is_authenticated and user.is_active:
        return CommitteeReport.objects.all()
    return CommitteeReport.objects.issued()
