from django.urls import path

from . import views

app_name = "cart"

urlpatterns = [
    path("", views.cart_detail, name="cart_detail"),
    path("add/<id64:product_id>/", views.cart_add, name="cart_add"),
    path("remove/<id64:product_id>/", views.cart_remove, name="cart_remove"),
    path("coupon/", views.coupon_apply, name="coupon_apply"),
    path("coupon/remove/", views.coupon_remove, name="coupon_remove"),
]
