from .archive import ArchiveSummary, ArchiveVersion, Cable, Paragraph, Reference, Source, Tag
from .collections import Collection, SavedParagraph
from .entities import (
    Alias,
    BulkDecision,
    Election,
    EntitySuggestion,
    Mention,
    MentionDecision,
    MergedEntity,
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
    "BulkDecision",
    "Cable",
    "Collection",
    "Election",
    "EntitySuggestion",
    "Mention",
    "MentionDecision",
    "MergedEntity",
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
