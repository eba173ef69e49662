"""Search-box suggestions: the in-memory index of people, parties, elections, posts and TAGS, and its API."""
