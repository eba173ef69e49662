from django.urls import path

from . import api, views

urlpatterns = [
    path("cables/", views.search_view, name="search"),
    path("cables/help/", views.search_help, name="search-help"),
    path("cables/facets/<str:name>/", views.facet_values, name="facet-values"),
    path("api/cables/", api.cable_list, name="api-cable-list"),
    path("api/cables/export.csv", api.export_csv, name="api-export-csv"),
    path("api/cables/export.json", api.export_json, name="api-export-json"),
    path("api/cables/<path:reference_id>/", api.cable_detail, name="api-cable-detail"),
]
