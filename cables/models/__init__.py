from .archive import ArchiveSummary, ArchiveVersion, Cable, Paragraph, Reference, Source, Tag
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

__all__ = [
    "Alias",
    "ArchiveSummary",
    "ArchiveVersion",
    "Cable",
    "Election",
    "EntitySuggestion",
    "Mention",
    "MentionDecision",
    "Paragraph",
    "Party",
    "Person",
    "Reference",
    "ReviewQueueMention",
    "Source",
    "SuggestionPlace",
    "Tag",
]
