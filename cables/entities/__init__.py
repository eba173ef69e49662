"""Entity tagging: people, parties and elections mentioned in paragraphs."""
