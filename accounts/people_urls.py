from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.member_list, name="list"),
    path("follow/", views.follow, name="follow"),
    path("<str:username>/", views.member_detail, name="detail"),
]
