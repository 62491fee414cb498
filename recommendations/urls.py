from django.urls import include, path

from . import clock_views, dashboard_views, evidence_views, overview_views, views

app_name = "recommendations"

urlpatterns = [
    path("challenges/<slug:slug>/", views.ChallengeDetailView.as_view(), name="challenge-detail"),
    path(
        "challenges/<slug:slug>/recommendations/",
        views.RecommendationListView.as_view(),
        name="recommendation-list",
    ),
    path(
        "challenges/<slug:slug>/recommendations/<int:number>/",
        views.RecommendationDetailView.as_view(),
        name="recommendation-detail",
    ),
    path(
        "challenges/<slug:slug>/recommendations/<int:number>/response/",
        views.RecommendationResponseView.as_view(),
        name="recommendation-response",
    ),
    path("challenges/<slug:slug>/themes/<int:number>/", views.ThemeDetailView.as_view(), name="theme-detail"),
    path("actions/<int:pk>/", views.ActionDetailView.as_view(), name="action-detail"),
    path("actions/<int:pk>/update/", views.ProgressUpdateCreateView.as_view(), name="progress-update-create"),
    path("evidence/<int:pk>/", evidence_views.EvidenceFileView.as_view(), name="evidence-file"),
    path("my-actions/", views.MyActionsView.as_view(), name="my-actions"),
    path("action-plan/", views.ActionPlanView.as_view(), name="action-plan"),
    path("action-plan/export.csv", views.ActionPlanCsvView.as_view(), name="action-plan-csv"),
    path("start/", dashboard_views.StartView.as_view(), name="start"),
    path("dashboard/", dashboard_views.DashboardView.as_view(), name="dashboard"),
    path("overview/", overview_views.OverviewView.as_view(), name="overview"),
    path(
        "challenges/<slug:slug>/recommendations/<int:number>/actions/new/",
        views.ActionCreateView.as_view(),
        name="action-create",
    ),
    path("actions/<int:pk>/change/", views.ActionUpdateView.as_view(), name="action-update"),
    path("approvals/", views.ApprovalListView.as_view(), name="approval-list"),
    path("updates/<int:pk>/approve/", views.ApproveUpdateView.as_view(), name="update-approve"),
    path("updates/<int:pk>/return/", views.ReturnUpdateView.as_view(), name="update-return"),
    path(
        "challenges/<slug:slug>/publishing/",
        views.PublishingSettingsView.as_view(),
        name="publishing-settings",
    ),
    path(
        "challenges/<slug:slug>/milestones/",
        clock_views.ChallengeMilestonesView.as_view(),
        name="challenge-milestones",
    ),
    path("", include("recommendations.exchange_urls")),
    path("", include("recommendations.invitation_urls")),
    path("", include("recommendations.round_urls")),
    path("", include("recommendations.notification_urls")),
]
