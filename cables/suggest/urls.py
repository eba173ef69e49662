from django.urls import path

from . import views

urlpatterns = [
    path("api/suggest/", views.suggestions, name="api-suggest"),
]
