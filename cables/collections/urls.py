from django.urls import path

from cables.collections import accounts, views

app_name = "collections"

urlpatterns = [
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", accounts.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("collections/", views.collection_list, name="list"),
    path("collections/save/", views.save, name="save"),
    path("collections/<int:pk>/", views.collection_detail, name="detail"),
    path("collections/<int:pk>/rename/", views.collection_rename, name="rename"),
    path("collections/<int:pk>/delete/", views.collection_delete, name="delete"),
    path("collections/<int:pk>/share/", views.share_link, name="share"),
    path("collections/<int:pk>/items/<int:item_pk>/note/", views.item_note, name="item-note"),
    path("collections/<int:pk>/items/<int:item_pk>/remove/", views.item_remove, name="item-remove"),
    path("c/<str:token>/", views.shared, name="shared"),
    *(
        path(f"c/<str:token>/export.{fmt}", views.shared_export, {"fmt": fmt}, name=f"export-{fmt}")
        for fmt in views.EXPORTS
    ),
]
