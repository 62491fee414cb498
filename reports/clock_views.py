"""The CPC clock as open data (reports.clock_data): a challenge's milestones, and every challenge's."""

import json

from django.http import HttpResponse
from django.utils import timezone
from django.views import View

from recommendations import clock
from recommendations.models import PeerChallenge

from . import clock_data, open_data
from .views import OpenDataFileMixin


def csv_response(rows, filename):
    response = HttpResponse(clock_data.as_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def json_response(document):
    return HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )


class ChallengeMilestonesMixin(OpenDataFileMixin):
    def challenge_queryset(self):
        return clock.with_clock(super().challenge_queryset())

    def rows(self, today):
        return clock_data.milestone_rows([self.get_challenge()], today=today)


class MilestonesCsvView(ChallengeMilestonesMixin, View):
    def get(self, request, slug):
        today = timezone.localdate()
        response = csv_response(self.rows(today), f"{self.get_challenge().slug}-milestones.csv")
        return self.data_headers(response, today.isoformat())


class MilestonesJsonView(ChallengeMilestonesMixin, View):
    def get(self, request, slug):
        today = timezone.localdate()
        challenge = self.get_challenge()
        document = clock_data.as_json(
            self.rows(today), today=today, council=challenge.council.name, challenge=challenge.title
        )
        return self.data_headers(json_response(document), document["data_date"])


class AllMilestonesMixin:
    """Every challenge's milestones, by council, oldest challenge first: one query however many."""

    def rows(self, today):
        challenges = clock.with_clock(PeerChallenge.objects.select_related("council")).order_by(
            "council__name", "on_site_from", "pk"
        )
        return clock_data.milestone_rows(challenges, today=today)

    def data_headers(self, response, data_date):
        response["Link"] = f'<{open_data.LICENCE_URL}>; rel="license"'
        response["X-Data-Date"] = data_date
        response["Access-Control-Allow-Origin"] = "*"
        return response


class AllMilestonesCsvView(AllMilestonesMixin, View):
    def get(self, request):
        today = timezone.localdate()
        return self.data_headers(csv_response(self.rows(today), "milestones.csv"), today.isoformat())


class AllMilestonesJsonView(AllMilestonesMixin, View):
    def get(self, request):
        today = timezone.localdate()
        document = clock_data.as_json(self.rows(today), today=today)
        return self.data_headers(json_response(document), document["data_date"])
