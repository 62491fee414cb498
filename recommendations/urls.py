from django.urls import include, path

from . import views

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
    path("challenges/<slug:slug>/themes/<int:number>/", views.ThemeDetailView.as_view(), name="theme-detail"),
    path("actions/<int:pk>/", views.ActionDetailView.as_view(), name="action-detail"),
    path("actions/<int:pk>/update/", views.ProgressUpdateCreateView.as_view(), name="progress-update-create"),
    path("my-actions/", views.MyActionsView.as_view(), name="my-actions"),
    path("", include("recommendations.exchange_urls")),
]
