from django.contrib import admin
from django.urls import include, path

from cables import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("", include("cables.entities.urls")),
    path("", include("cables.urls")),
    path("", include("cables.collections.urls")),
]
