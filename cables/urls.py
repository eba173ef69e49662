from django.urls import path

from . import views

app_name = "cables"

urlpatterns = [
    path("", views.home, name="home"),
    path("cable/<str:reference_id>/", views.cable_detail, name="cable-detail"),
    path("person/<slug:slug>/", views.entity_placeholder, name="person-detail"),
    path("party/<slug:slug>/", views.entity_placeholder, name="party-detail"),
    path("election/<slug:slug>/", views.entity_placeholder, name="election-detail"),
]
