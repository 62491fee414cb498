"""Admin pieces whose cost does not grow with the data.

Django's raw-id widget looks up the chosen object once per row to show its name, and a select of a
model's rows runs its query once per row: an inline of twenty progress updates would ask the
database forty times. These load each related object once for all the rows of the formset. The list
filters name peer challenges in one query, and offer themes only of the chosen challenge.
"""

from django.contrib import admin
from django.contrib.admin import widgets
from django.contrib.admin.widgets import AutocompleteMixin
from django.forms.models import BaseInlineFormSet
from django.urls import NoReverseMatch, reverse
from django.utils.text import Truncator


class PreloadedRawIdWidget(widgets.ForeignKeyRawIdWidget):
    """A raw-id widget that names the chosen object from `preloaded` ({str(pk): object}) when it is
    there, and asks the database as Django's does otherwise (e.g. for an id just typed in)."""

    preloaded = None

    def label_and_url_for_value(self, value):
        obj = (self.preloaded or {}).get(str(value))
        if obj is None:
            return super().label_and_url_for_value(value)
        try:
            url = reverse(f"{self.admin_site.name}:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
        except NoReverseMatch:
            url = ""
        return Truncator(obj).words(14), url


class PreloadingInlineFormSet(BaseInlineFormSet):
    """Loads the objects its rows' raw-id fields point at, one query per field, and gives each row's
    widget the lot; selects (`shared_choice_fields`) are filled once and shared by every row."""

    shared_choice_fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._preload_raw_ids()
        self._share_choices()

    def _preload_raw_ids(self):
        for name, field in self.form.base_fields.items():
            if not isinstance(field.widget, PreloadedRawIdWidget):
                continue
            model = field.queryset.model
            if field.to_field_name not in (None, model._meta.pk.name):
                continue  # chosen by another field than the primary key: Django's own lookup
            attname = self.model._meta.get_field(name).attname
            ids = {getattr(form.instance, attname) for form in self.forms} - {None}
            loaded = {str(pk): obj for pk, obj in model._default_manager.in_bulk(ids).items()} if ids else {}
            for form in self.forms:
                form.fields[name].widget.preloaded = loaded

    def _share_choices(self):
        for name in self.shared_choice_fields:
            field = self.form.base_fields.get(name)
            if (
                field is None
                or not self.forms
                or isinstance(getattr(field.widget, "widget", field.widget), AutocompleteMixin)
            ):
                continue  # a searched-for field shows its chosen object only
            choices = list(field.choices)
            for form in self.forms:
                form.fields[name].choices = choices

    @property
    def empty_form(self):
        form = super().empty_form
        for name in self.shared_choice_fields:
            if name in form.fields and self.forms:
                form.fields[name].choices = self.forms[0].fields[name].choices
        return form


class PreloadingInlineMixin:
    """For an InlineModelAdmin: its raw-id fields use PreloadedRawIdWidget and its formset preloads
    them (set `formset` to a PreloadingInlineFormSet subclass to share select choices too)."""

    formset = PreloadingInlineFormSet

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.raw_id_fields:
            kwargs["widget"] = PreloadedRawIdWidget(db_field.remote_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ChallengeListFilter(admin.RelatedFieldListFilter):
    """Peer challenges to filter by, named with their council's name, in one query (Django's filter
    asks for each challenge's council in turn)."""

    def field_choices(self, field, request, model_admin):
        challenges = field.related_model._default_manager.select_related("council")
        return [(challenge.pk, str(challenge)) for challenge in challenges]


def themes_of_the_chosen_challenge(challenge_parameter):
    """A theme filter that offers the themes of the challenge chosen in the challenge filter: themes are
    numbered within a challenge, so a list of every council's "Theme 1" helps nobody (and grows with them)."""

    class ThemeListFilter(admin.RelatedFieldListFilter):
        def field_choices(self, field, request, model_admin):
            challenge = request.GET.get(challenge_parameter)
            if not challenge or not challenge.isdigit():
                return []
            return [
                (theme.pk, str(theme)) for theme in field.related_model._default_manager.filter(challenge=challenge)
            ]

        def has_output(self):
            return bool(self.lookup_choices)

    return ThemeListFilter
