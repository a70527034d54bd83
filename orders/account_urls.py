"""Mounted at /account/orders/ (mysite/urls.py, before accounts' /account/)."""

from django.urls import path

from . import member_views

app_name = "member_orders"

urlpatterns = [
    path("", member_views.order_list, name="list"),
    path("<order_number:number>/", member_views.order_detail, name="detail"),
    path(
        "<order_number:number>/invoice.pdf",
        member_views.order_invoice,
        name="invoice",
    ),
    path(
        "<order_number:number>/credit-notes/<id64:refund_id>.pdf",
        member_views.order_credit_note,
        name="credit_note",
    ),
    path("save/<str:token>/", member_views.order_claim_view, name="claim"),
]
