"""Update rounds' pages (recommendations.round_views), in the recommendations namespace."""

from django.urls import path

from . import round_views

urlpatterns = [
    path("challenges/<slug:slug>/rounds/", round_views.RoundListView.as_view(), name="round-list"),
    path("challenges/<slug:slug>/rounds/new/", round_views.RoundCreateView.as_view(), name="round-create"),
    path("rounds/<int:pk>/", round_views.RoundDetailView.as_view(), name="round-detail"),
    path("rounds/<int:pk>/remind/", round_views.RoundRemindView.as_view(), name="round-remind"),
    path("rounds/<int:pk>/close/", round_views.RoundCloseView.as_view(), name="round-close"),
    path("rounds/<int:pk>/my-updates/", round_views.MyRoundUpdatesView.as_view(), name="round-my-updates"),
]
