from .archive import Cable, Paragraph, Reference, Source, Tag
from .entities import Alias, Election, Mention, Party, Person

__all__ = [
    "Alias",
    "Cable",
    "Election",
    "Mention",
    "Paragraph",
    "Party",
    "Person",
    "Reference",
    "Source",
    "Tag",
]
