"""A challenge's public indicators as open data: one row per figure, the same columns in CSV and JSON
(reports.indicator_data). Internal indicators are never in them, whoever downloads the files."""

import json

from django.http import HttpResponse
from django.views import View

from . import indicator_data
from .views import OpenDataFileMixin


class IndicatorsCsvView(OpenDataFileMixin, View):
    def get(self, request, slug):
        challenge = self.get_challenge()
        rows = indicator_data.indicator_rows(challenge)
        response = HttpResponse(indicator_data.as_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{challenge.slug}-indicators.csv"'
        return self.data_headers(response, indicator_data.data_date(challenge))


class IndicatorsJsonView(OpenDataFileMixin, View):
    def get(self, request, slug):
        challenge = self.get_challenge()
        rows = indicator_data.indicator_rows(challenge)
        document = indicator_data.as_json(challenge, rows, indicator_data.data_date(challenge))
        response = HttpResponse(
            json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
        )
        return self.data_headers(response, document["data_date"])
