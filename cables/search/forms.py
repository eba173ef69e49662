"""The search parameters of the reading room, the API and the exports, with their bounds.

Every request that searches goes through SearchForm first: a query, a sort, a page number and
the facet values within the bounds below, or a 400 with the form's message. The search engine
(`cables/search/`) has its own syntax limits; these bound the request itself.
"""

from django import forms

from cables.search.filters import FILTER_PARAMETERS
from cables.search.query import MAX_QUERY_LENGTH, QuerySyntaxError, parse_query
from cables.search.results import SORTS

# Words, phrases and field values in one query, each alternative of an OR counted.
MAX_TERMS = 40
# Values of one facet parameter (?origin=…&origin=…).
MAX_FACET_VALUES = 20
# Pages of a result list: 10,000 cables at 20 a page; past that, narrow or export.
MAX_PAGE = 500
UNOFFERED_SORTS = ("-released",)


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search the cables",
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "max_length": "The query is too long (%(show_value)d characters; at most "
            "%(limit_value)d)."
        },
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": 'e.g. "Nur Otan" election origin:astana'}
        ),
    )
    sort = forms.ChoiceField(label="Sort by", choices=list(SORTS.items()), required=False)
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE,
        error_messages={
            "invalid": "The page number must be a whole number.",
            "min_value": "Pages are numbered from 1.",
            "max_value": f"Only the first {MAX_PAGE} pages are shown: narrow the search with "
            "a facet or dates, or use the export for the whole result set.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "Recently released" still orders the API and old links, but is not offered: the
        # release date is known for the cables read from original pages only (133 of the
        # sample's 4,544), and the release's index (cable2month.csv.gz) gives the month a
        # cable was written, not released.
        self.fields["sort"].widget.choices = [
            (value, label) for value, label in SORTS.items() if value not in UNOFFERED_SORTS
        ]

    def clean_q(self):
        query = self.cleaned_data["q"]
        try:
            parsed = parse_query(query)
        except QuerySyntaxError as error:
            raise forms.ValidationError(str(error)) from None
        terms = (
            len(parsed.highlight_terms())
            + len(parsed.excluded)
            + sum(len(values) for values in parsed.filters.values())
        )
        if terms > MAX_TERMS:
            raise forms.ValidationError(
                f"Too many search terms ({terms}; at most {MAX_TERMS}, counting each "
                "alternative of an OR)."
            )
        return query

    def clean(self):
        for name in FILTER_PARAMETERS:
            count = len(self.data.getlist(name)) if hasattr(self.data, "getlist") else 0
            if count > MAX_FACET_VALUES:
                raise forms.ValidationError(
                    f"Too many values for {name} ({count}; at most {MAX_FACET_VALUES})."
                )
        return super().clean()

    def error_message(self) -> str:
        """Every error of the form, as one sentence for the page or the API."""
        return " ".join(error for errors in self.errors.values() for error in errors)


# What a row of an export is: a cable of the result set (the default) or one of its matched
# paragraphs (`cables/search/paragraph_export.py`).
EXPORT_ROWS = {"cables": "One row per cable", "paragraphs": "One row per matched paragraph"}


class ExportForm(SearchForm):
    rows = forms.ChoiceField(
        choices=list(EXPORT_ROWS.items()),
        required=False,
        error_messages={
            "invalid_choice": "rows must be cables (one row per cable, the default) or "
            "paragraphs (one row per paragraph matching the query)."
        },
    )

    def clean_rows(self):
        return self.cleaned_data["rows"] or "cables"
