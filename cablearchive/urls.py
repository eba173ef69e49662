from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("cables.health")),
    path("admin/", admin.site.urls),
    path("", include("cables.entities.urls")),
    path("", include("cables.urls")),
    path("", include("cables.collections.urls")),
]
