from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("progress-reviews/<int:pk>/", views.ProgressReviewDetailView.as_view(), name="review-detail"),
    path("considerations/<int:pk>/", views.ConsiderationDetailView.as_view(), name="consideration-detail"),
]
