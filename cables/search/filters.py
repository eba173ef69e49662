"""Facet filters of the search page and the API, kept in the URL (`?origin=…&tag=…`).

Every facet takes several values (repeated parameters) and matches any of them, so a facet can
be widened. The search service counts each facet with its own parameter left out (disjunctive
facets).
"""

import django_filters
from django import forms

from cables.models import Cable, Mention, Tag


class AnyValueField(forms.MultipleChoiceField):
    """Several free values: choices come from the data, not from a fixed list."""

    def valid_value(self, value):
        return bool(value) and len(value) <= 200


class YearsField(AnyValueField):
    def valid_value(self, value):
        return value.isdigit() and len(value) == 4


class AnyOfFilter(django_filters.MultipleChoiceFilter):
    field_class = AnyValueField

    def __init__(self, *args, **kwargs):
        # No joins here, so no DISTINCT (MultipleChoiceFilter adds one by default).
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


class YearFilter(AnyOfFilter):
    field_class = YearsField


def _mentioned(entity: str):
    def filter_method(queryset, name, values):
        if not values:
            return queryset
        cables = (
            Mention.objects.visible().filter(**{f"{entity}__slug__in": values}).values("cable_id")
        )
        return queryset.filter(id__in=cables)

    return filter_method


class CableFilter(django_filters.FilterSet):
    year = YearFilter(field_name="year", label="Year")
    origin = AnyOfFilter(field_name="origin", label="Origin")
    classification = AnyOfFilter(field_name="classification", label="Classification")
    tag = AnyOfFilter(label="TAGS", method="filter_tag")
    person = AnyOfFilter(label="Person", method="filter_person")
    party = AnyOfFilter(label="Party", method="filter_party")
    election = AnyOfFilter(label="Election", method="filter_election")
    partial = django_filters.ChoiceFilter(
        label="Text",
        choices=[("full", "Full text"), ("partial", "Partial extract")],
        method="filter_partial",
        empty_label="Any",
    )
    date_from = django_filters.DateFilter(
        field_name="created",
        lookup_expr="date__gte",
        label="Created from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        field_name="created",
        lookup_expr="date__lte",
        label="Created until",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Cable
        fields: list[str] = []

    filter_person = staticmethod(_mentioned("person"))
    filter_party = staticmethod(_mentioned("party"))
    filter_election = staticmethod(_mentioned("election"))

    def get_form_class(self):
        # The fields depend on the declarations alone: build the form class once, not per
        # FilterSet (a search makes several).
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            cls._form_class = super().get_form_class()
        return cls._form_class

    @classmethod
    def bound_form(cls, data):
        """The filters' form over `data`, for validation or display: without a FilterSet,
        which deep-copies every filter."""
        # A FilterSet (deep copies of every filter) only the first time, to build the class.
        form_class = cls.__dict__.get("_form_class") or cls().get_form_class()
        return form_class(data)

    def filter_tag(self, queryset, name, values):
        # A subquery on the through table: no join, so no DISTINCT over the cable rows. The
        # TAGS' ids are read first: PostgreSQL then knows how common they are (PREL, 177,000
        # cables, was planned as 2,600 through a join on the code, so an export's first 500 by
        # date sorted all of them: 870 ms against 14 ms down the date index).
        if not values:
            return queryset
        tag_ids = list(
            Tag.objects.using(queryset.db).filter(code__in=values).values_list("id", flat=True)
        )
        tagged = Cable.tags.through.objects.filter(tag_id__in=tag_ids).values("cable_id")
        return queryset.filter(id__in=tagged)

    def filter_partial(self, queryset, name, value):
        if value in ("full", "partial"):
            return queryset.filter(partial=(value == "partial"))
        return queryset


FACET_PARAMETERS = (
    "year",
    "origin",
    "classification",
    "tag",
    "person",
    "party",
    "election",
    "partial",
)
FILTER_PARAMETERS = (*FACET_PARAMETERS, "date_from", "date_to")
