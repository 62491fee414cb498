"""Who may do what with committee reports, per council. Each rule has its queryset twin.

- Coordinators of the challenge's council (and administrators) create and issue its reports, and
  make its progress-review pack (Word and PDF; reports/pack.py).
- Members of that council (officers, coordinators, scrutiny committee members) read its reports,
  drafts included.
- Everyone else reads issued reports only: they are committee papers. A draft is refused (403, or
  the sign-in page for the public) and never listed.
"""

import rules

from recommendations.permissions import belongs_to, is_admin, manages, member_council_ids

from .models import CommitteeReport


@rules.predicate
def is_issued(user, report):
    return report is not None and report.is_issued


active = rules.is_authenticated & rules.is_active

rules.add_perm("reports.view_report", is_issued | (active & belongs_to))
rules.add_perm("reports.create_report", active & manages)
rules.add_perm("reports.issue_report", active & manages)
rules.add_perm("reports.make_pack", active & manages)


def readable_reports(user):
    """The reports `user` may read: the queryset twin of view_report."""
    if is_admin(user):
        return CommitteeReport.objects.all()
    from django.db.models import Q

    return CommitteeReport.objects.filter(
        Q(issued_at__isnull=False) | Q(challenge__council_id__in=member_council_ids(user))
    )
