from django.urls import path

from . import views

urlpatterns = [
    path("coverage/", views.coverage_page, name="coverage"),
    path("coverage/<str:post>/", views.coverage_post, name="coverage-post"),
]
