from collections.abc import Iterable


class SearchBackend:
    """What every search backend provides."""

    vendor = ""

    def __init__(self, using: str = "default"):
        self.using = using

    # --- index upkeep, called by ingest ------------------------------------------------
    def unindex_cables(self, cable_ids: Iterable[int]) -> None:
        """Forget the paragraphs of these cables (before they are deleted or replaced)."""

    def index_cables(self, cable_ids: Iterable[int]) -> None:
        """Index the paragraphs of these cables (after they are written)."""

    def rebuild(self) -> None:
        """Rebuild the whole index from the paragraph table (after a bulk load)."""
