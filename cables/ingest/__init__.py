"""Writers: incremental ingest, the bulk loader, the rows both write, and what runs when a write finishes."""
