from django.urls import path, re_path

from . import api, autocomplete_api, coverage_views, views
from .versions import views as versions_views

app_name = "cables"

REFERENCE = r"(?P<reference_id>\d{2,4}[A-Z][A-Z0-9-]*?\d+)"

urlpatterns = [
    path("", views.home, name="home"),
    path("cables/", views.search_view, name="search"),
    path("cables/help/", views.search_help, name="search-help"),
    path("cables/facets/<str:name>/", views.facet_values, name="facet-values"),
    path("cables/several-sources/", views.cables_with_versions, name="several-sources"),
    path("origins/", views.origins, name="origins"),
    path("tags/", views.tags, name="tags"),
    path("coverage/", coverage_views.coverage_page, name="coverage"),
    path("coverage/<str:post>/", coverage_views.coverage_post, name="coverage-post"),
    # <path:…>: a reference ID is kept as the source gave it (with a warning when malformed),
    # so one with a "/" in it still has an address instead of breaking every page listing it.
    # Before cable-detail, whose <path:…> would take "…/versions" for a reference ID.
    path(
        "cable/<path:reference_id>/versions/",
        versions_views.cable_versions,
        name="cable-versions",
    ),
    path("cable/<path:reference_id>/", views.cable_detail, name="cable-detail"),
    re_path(
        rf"^cable/(?P<year>\d{{4}})/(?P<month>\d{{2}})/{REFERENCE}\.html$",
        views.old_cable_address,
        name="old-cable-address",
    ),
    re_path(rf"^{REFERENCE}/?$", views.old_cable_address, name="bare-reference"),
    path("api/cables/", api.cable_list, name="api-cable-list"),
    path("api/cables/export.csv", api.export_csv, name="api-export-csv"),
    path("api/cables/export.json", api.export_json, name="api-export-json"),
    path("api/cables/<path:reference_id>/", api.cable_detail, name="api-cable-detail"),
    path("api/suggest/", autocomplete_api.suggestions, name="api-suggest"),
]
