"""Changing indicators: figures, settings and the CSV import (included in the reviews namespace)."""

from django.urls import path

from . import indicator_views

urlpatterns = [
    path(
        "challenges/<slug:slug>/indicators/new/",
        indicator_views.IndicatorCreateView.as_view(),
        name="indicator-create",
    ),
    path(
        "challenges/<slug:slug>/indicators/figures-due/",
        indicator_views.FiguresDueView.as_view(),
        name="figures-due",
    ),
    path("indicators/<int:pk>/change/", indicator_views.IndicatorUpdateView.as_view(), name="indicator-edit"),
    path(
        "indicators/<int:pk>/figures/new/",
        indicator_views.IndicatorValueFormView.as_view(),
        name="indicator-value-add",
    ),
    path(
        "indicators/<int:indicator_id>/figures/<int:pk>/change/",
        indicator_views.IndicatorValueEditView.as_view(),
        name="indicator-value-edit",
    ),
    path("indicators/<int:pk>/import/", indicator_views.IndicatorImportView.as_view(), name="indicator-import"),
    path(
        "indicators/<int:pk>/import/confirm/",
        indicator_views.IndicatorImportConfirmView.as_view(),
        name="indicator-import-confirm",
    ),
]
