from django.urls import path

from . import views

app_name = "gallery"

urlpatterns = [
    path("", views.bookmark_list, name="list"),
    path("create/", views.bookmark_create, name="create"),
    path("like/", views.like, name="like"),
    path("ranking/", views.ranking, name="ranking"),
    path("bookmarklet/", views.bookmarklet, name="bookmarklet"),
    path("<id64:pk>/<str:slug>/", views.bookmark_detail, name="detail"),
]
