from django import forms

from cables.search.service import SORTS


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search the cables",
        required=False,
        max_length=500,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": 'e.g. "Nur Otan" election origin:astana'}
        ),
    )
    sort = forms.ChoiceField(label="Sort by", choices=list(SORTS.items()), required=False)
