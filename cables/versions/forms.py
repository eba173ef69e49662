"""The parameters of a cable's versions page: which two versions (source ids) to compare."""

from django import forms

# Larger ids cannot be a source (a 64-bit key), and PostgreSQL would refuse them in a query.
MAX_ID = 2**63 - 1
ID_ERRORS = {
    "invalid": "Versions are named by number (the a= and b= of the links in the cable's "
    "list of versions).",
    "min_value": "Version numbers start at 1.",
    "max_value": "There is no version with so large a number.",
}


class VersionsForm(forms.Form):
    a = forms.IntegerField(
        label="Compare", required=False, min_value=1, max_value=MAX_ID, error_messages=ID_ERRORS
    )
    b = forms.IntegerField(
        label="with", required=False, min_value=1, max_value=MAX_ID, error_messages=ID_ERRORS
    )

    def error_message(self) -> str:
        """Every error of the form as one sentence for the page."""
        return " ".join(dict.fromkeys(e for errors in self.errors.values() for e in errors))
