from django.urls import path

from . import views

app_name = "cables"

urlpatterns = [
    path("", views.home, name="home"),
    path("cable/<str:reference_id>/", views.cable_detail, name="cable-detail"),
]
