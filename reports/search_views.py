"""The search page: one box, every council's record (reports.search says what each reader finds)."""

from django import forms
from django.core.paginator import Paginator
from django.views.generic import TemplateView

from cpc_tracker.forms import GovukFormHelper

from . import search


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Words to search for",
        max_length=search.MAX_QUERY_LENGTH,
        error_messages={
            "required": "Enter what you are looking for",
            "max_length": f"Search for {search.MAX_QUERY_LENGTH} characters or fewer",
            "null_characters_not_allowed": "Search for letters, numbers and punctuation only",
        },
    )
    council = forms.ModelChoiceField(
        label="Council",
        queryset=search.councils_to_search(),
        to_field_name="slug",
        required=False,
        empty_label="All councils",
        error_messages={"invalid_choice": "Choose a council from the list"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = GovukFormHelper(self)  # for the error summary; the page lays the form out itself


class SearchView(TemplateView):
    """Search with GET (?q=words&council=slug), so a search can be bookmarked and shared. Results
    20 to a page, at most search.RESULT_CAP in all."""

    template_name = "reports/search.html"
    paginate_by = 20

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        asked = "q" in self.request.GET or "council" in self.request.GET
        form = SearchForm(self.request.GET if asked else None)
        context["form"] = form
        # The council filter's options, read once (looping over the field's choices in the template
        # would count them first: two queries).
        context["council_choices"] = [(str(value), label) for value, label in form.fields["council"].choices]
        context["council_chosen"] = str(form["council"].value() or "")
        context["result_cap"] = search.RESULT_CAP
        context["search_hint"] = search.search_backend().hint
        if asked and form.is_valid():
            results = search.search(self.request.user, form.cleaned_data["q"], form.cleaned_data["council"])
            page = Paginator(results.hits, self.paginate_by).get_page(self.request.GET.get("page"))
            context.update(results=results, page_obj=page, hits=page.object_list)
        return context
