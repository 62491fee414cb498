from django.urls import path

from . import clock_views, indicator_views, pack_views, search_views, views
from .feeds import ChallengeUpdatesFeed

app_name = "reports"

urlpatterns = [
    path("challenges/<slug:slug>/reports/", views.ReportListView.as_view(), name="report-list"),
    path("challenges/<slug:slug>/reports/new/", views.ReportCreateView.as_view(), name="report-create"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report-detail"),
    path("reports/<int:pk>/issue/", views.ReportIssueView.as_view(), name="report-issue"),
    path("reports/<int:pk>/report.pdf", views.ReportPdfView.as_view(), name="report-pdf"),
    path("challenges/<slug:slug>/pack.docx", pack_views.PackDocxView.as_view(), name="pack-docx"),
    path("challenges/<slug:slug>/pack.pdf", pack_views.PackPdfView.as_view(), name="pack-pdf"),
    path("challenges/<slug:slug>/open-data/", views.OpenDataView.as_view(), name="open-data"),
    path("challenges/<slug:slug>/open-data/status.csv", views.StatusCsvView.as_view(), name="open-data-csv"),
    path("challenges/<slug:slug>/open-data/status.json", views.StatusJsonView.as_view(), name="open-data-json"),
    path(
        "challenges/<slug:slug>/open-data/indicators.csv",
        indicator_views.IndicatorsCsvView.as_view(),
        name="open-data-indicators-csv",
    ),
    path(
        "challenges/<slug:slug>/open-data/indicators.json",
        indicator_views.IndicatorsJsonView.as_view(),
        name="open-data-indicators-json",
    ),
    path(
        "challenges/<slug:slug>/open-data/milestones.csv",
        clock_views.MilestonesCsvView.as_view(),
        name="open-data-milestones-csv",
    ),
    path(
        "challenges/<slug:slug>/open-data/milestones.json",
        clock_views.MilestonesJsonView.as_view(),
        name="open-data-milestones-json",
    ),
    path("open-data/milestones.csv", clock_views.AllMilestonesCsvView.as_view(), name="all-milestones-csv"),
    path("open-data/milestones.json", clock_views.AllMilestonesJsonView.as_view(), name="all-milestones-json"),
    path("challenges/<slug:slug>/updates.atom", ChallengeUpdatesFeed(), name="updates-feed"),
    path("search/", search_views.SearchView.as_view(), name="search"),
]
