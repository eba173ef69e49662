from .archive import ArchiveSummary, ArchiveVersion, Cable, Paragraph, Reference, Source, Tag
from .collections import Collection, SavedParagraph
from .entities import (
    Alias,
    Election,
    EntitySuggestion,
    Mention,
    MentionDecision,
    Party,
    Person,
    ReviewQueueMention,
    SuggestionPlace,
)
from .limits import RateCount

__all__ = [
    "Alias",
    "ArchiveSummary",
    "ArchiveVersion",
    "Cable",
    "Collection",
    "Election",
    "EntitySuggestion",
    "Mention",
    "MentionDecision",
    "Paragraph",
    "Party",
    "Person",
    "RateCount",
    "Reference",
    "ReviewQueueMention",
    "SavedParagraph",
    "Source",
    "SuggestionPlace",
    "Tag",
]
