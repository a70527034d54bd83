from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("create/", views.order_create, name="order_create"),
    path("<id64:order_id>/invoice.pdf", views.invoice_pdf, name="invoice_pdf"),
    path(
        "credit-notes/<id64:refund_id>.pdf",
        views.credit_note_pdf,
        name="credit_note_pdf",
    ),
]
