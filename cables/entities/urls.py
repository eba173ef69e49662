from django.urls import path

from . import views

app_name = "entities"

urlpatterns = [
    path("person/<slug:slug>/", views.person_detail, name="person-detail"),
    path("party/<slug:slug>/", views.party_detail, name="party-detail"),
    path("election/<slug:slug>/", views.election_detail, name="election-detail"),
]
