"""The `cables:` URL names, each slice's own patterns under one namespace."""

from cables.coverage import urls as coverage_urls
from cables.reading import urls as reading_urls
from cables.search import urls as search_urls
from cables.suggest import urls as suggest_urls
from cables.versions import urls as versions_urls

app_name = "cables"

# The versions page first: cable-detail's <path:…> would take "…/versions" for a reference ID.
urlpatterns = [
    *versions_urls.urlpatterns,
    *reading_urls.urlpatterns,
    *search_urls.urlpatterns,
    *coverage_urls.urlpatterns,
    *suggest_urls.urlpatterns,
]
