from django.urls import path

from . import views

urlpatterns = [
    # Before cable-detail, whose <path:…> would take "…/versions" for a reference ID.
    path("cable/<path:reference_id>/versions/", views.cable_versions, name="cable-versions"),
    path("cables/several-sources/", views.cables_with_versions, name="several-sources"),
]
