"""The forms of collections: which paragraph, which collection, a name, a note."""

from django import forms

from cables.models import Collection

MAX_NOTE = 5000
NEW = "new"


class ParagraphForm(forms.Form):
    """?cable=07ASTANA2223&par=4: the paragraph a save page is about."""

    cable = forms.CharField(
        max_length=64, error_messages={"required": "Say which cable (?cable=…)."}
    )
    par = forms.IntegerField(
        min_value=1,
        max_value=100_000,
        error_messages={
            "required": "Say which paragraph (?par=…).",
            "invalid": "The paragraph number must be a whole number.",
            "min_value": "Paragraphs are numbered from 1.",
            "max_value": "No cable has that many paragraphs.",
        },
    )

    def error_message(self) -> str:
        return " ".join(str(e) for errors in self.errors.values() for e in errors)


class NameForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200, strip=True)


class NoteForm(forms.Form):
    note = forms.CharField(
        label="Note", required=False, max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 3})
    )


class SaveForm(NoteForm):
    """Which collection (one of the reader's or a new one) and the note."""

    collection = forms.ChoiceField(label="Collection")
    new_name = forms.CharField(label="New collection named", max_length=200, required=False)
    replace_note = forms.BooleanField(label="Replace the saved note", required=False)

    def __init__(self, *args, user, saves=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.collections = list(Collection.objects.filter(owner=user))
        choices = [(str(c.pk), c.name) for c in self.collections]
        self.fields["collection"].choices = choices + [(NEW, "New collection…")]
        self.fields["collection"].initial = choices[0][0] if choices else NEW
        self.fields["new_name"].initial = "" if choices else "My collection"
        # The note already saved in the collection offered first, never an empty box over it.
        notes = {saved.item.collection_id: saved.item.note for saved in saves}
        if self.collections and self.collections[0].pk in notes:
            self.fields["note"].initial = notes[self.collections[0].pk]
        self.order_fields(["collection", "new_name", "note"])

    def clean(self):
        data = super().clean()
        if data.get("collection") == NEW and not data.get("new_name", "").strip():
            self.add_error("new_name", "Name the new collection.")
        return data

    def chosen(self) -> Collection | None:
        """The existing collection chosen, or None for a new one."""
        value = self.cleaned_data["collection"]
        return next((c for c in self.collections if str(c.pk) == value), None)
