"""Entity tagging: people, parties and elections mentioned in paragraphs."""

from .markup import marked_paragraph_html
from .tagging import TaggingStats, tag_archive, tag_cables

__all__ = ["TaggingStats", "marked_paragraph_html", "tag_archive", "tag_cables"]
