from django.urls import path, re_path

from . import views

REFERENCE = r"(?P<reference_id>\d{2,4}[A-Z][A-Z0-9-]*?\d+)"

urlpatterns = [
    path("", views.home, name="home"),
    path("origins/", views.origins, name="origins"),
    path("tags/", views.tags, name="tags"),
    # <path:…>: a reference ID is kept as the source gave it (with a warning when malformed),
    # so one with a "/" in it still has an address instead of breaking every page listing it.
    # After cable-versions (cables/versions/urls.py), which <path:…> would otherwise swallow.
    path("cable/<path:reference_id>/", views.cable_detail, name="cable-detail"),
    re_path(
        rf"^cable/(?P<year>\d{{4}})/(?P<month>\d{{2}})/{REFERENCE}\.html$",
        views.old_cable_address,
        name="old-cable-address",
    ),
    re_path(rf"^{REFERENCE}/?$", views.old_cable_address, name="bare-reference"),
]
