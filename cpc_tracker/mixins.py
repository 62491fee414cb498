"""Site-wide view pieces that know no app: breadcrumbs."""


class BreadcrumbsMixin:
    """Puts the page's breadcrumbs, a list of (label, url) ending with the current page, in the context."""

    def get_breadcrumbs(self):
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["crumbs"] = self.get_breadcrumbs()
        return context
