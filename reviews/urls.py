from django.urls import include, path

from . import views

app_name = "reviews"

urlpatterns = [
    path("progress-reviews/<int:pk>/", views.ProgressReviewDetailView.as_view(), name="review-detail"),
    path("considerations/<int:pk>/", views.ConsiderationDetailView.as_view(), name="consideration-detail"),
    path("indicators/<int:pk>/", views.IndicatorDetailView.as_view(), name="indicator-detail"),
    path("challenges/<slug:slug>/indicators/", views.IndicatorListView.as_view(), name="indicator-list"),
    path("", include("reviews.indicator_urls")),
]
