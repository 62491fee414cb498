"""Import and export of the action plan (included in the recommendations namespace)."""

from django.urls import path

from . import exchange, exchange_views

urlpatterns = [
    path(
        "challenges/<slug:slug>/action-plan/export.csv",
        exchange_views.ActionPlanExportView.as_view(format=exchange.CSV),
        name="action-plan-export-csv",
    ),
    path(
        "challenges/<slug:slug>/action-plan/export.xlsx",
        exchange_views.ActionPlanExportView.as_view(format=exchange.XLSX),
        name="action-plan-export-xlsx",
    ),
    path(
        "challenges/<slug:slug>/action-plan/import/",
        exchange_views.ActionPlanImportView.as_view(),
        name="action-plan-import",
    ),
    path(
        "challenges/<slug:slug>/action-plan/import/confirm/",
        exchange_views.ActionPlanImportConfirmView.as_view(),
        name="action-plan-import-confirm",
    ),
]
