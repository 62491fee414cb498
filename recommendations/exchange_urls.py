"""Import and export of the action plan (included in the recommendations namespace)."""

urlpatterns: list = []
