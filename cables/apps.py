from django.apps import AppConfig


class CablesConfig(AppConfig):
    name = "cables"
    verbose_name = "Cable archive"

    def ready(self):
        # Imported here, not at the top: models and the modules that use them can be imported
        # only once the app registry is ready.
        from cablearchive import checks  # noqa: F401  (registers the deploy checks)
        from cables.collections.marks import reader_state
        from cables.coverage.selectors import archive_counts
        from cables.entities.upkeep import register_refresher
        from cables.ingest.finish import register_warmer
        from cables.lib.http_cache import register_reader_state
        from cables.reading.selectors import origins_by_country, overview, tag_counts
        from cables.search.facets import whole_archive_facets
        from cables.suggest.index import entity_cable_counts, refresh_after_curation

        # The stored counts each slice owns, computed at the end of every ingest.
        for warm in (
            overview,
            origins_by_country,
            tag_counts,
            whole_archive_facets,
            entity_cable_counts,
            archive_counts,
        ):
            register_warmer(warm)
        # A curation change refreshes the suggestions at once (cables/entities/upkeep.py).
        register_refresher(refresh_after_curation)
        # A signed-in reader's pages carry their collections' marks (cables/lib/http_cache.py).
        register_reader_state(reader_state)
