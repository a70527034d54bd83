"""PDF invoices: content, the static-only fetcher, and who may download them."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from pypdf import PdfReader

from orders.services.checkout import order_lines_total
from orders.services.invoice import BASE_URL, StaticOnlyFetcher, invoice_render_pdf
from orders.tests.factories import OrderFactory, OrderItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def order():
    order = OrderFactory()
    OrderItemFactory(
        order=order, product_name="Walnut desk", price=Decimal("250.00"), quantity=1
    )
    OrderItemFactory(
        order=order, product_name="Desk lamp", price=Decimal("19.95"), quantity=2
    )
    order.total = order_lines_total(items=order.items.all())
    order.save()
    return order


def pdf_text(content: bytes) -> str:
    return "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(content)).pages
    )


def test_invoice_pdf_has_number_items_and_total(order):
    content = invoice_render_pdf(order=order)
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert order.number in text
    assert "Walnut desk" in text and "Desk lamp" in text
    assert "289.90" in text


def test_fetcher_serves_our_static_files_only():
    fetcher = StaticOnlyFetcher()
    css = fetcher.fetch(f"{BASE_URL}static/orders/invoice.css")
    assert b"@page" in css.read()
    assert css.headers.get_content_type() == "text/css"
    for url in (
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        f"{BASE_URL}media/original_images/x.jpg",
        f"{BASE_URL}static/../../mysite/settings/base.py",
        f"{BASE_URL}static/no-such-file.css",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_invoice_download_requires_staff(client, order):
    url = f"/orders/{order.id}/invoice.pdf"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    User = get_user_model()
    client.force_login(User.objects.create_user("shopper", "s@example.com", "x"))
    assert client.get(url).status_code == 403
    client.force_login(
        User.objects.create_user("clerk", "c@example.com", "x", is_staff=True)
    )
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert order.number in pdf_text(response.content)
    assert client.get("/orders/999999/invoice.pdf").status_code == 404
    assert client.get(f"/orders/{10**30}/invoice.pdf").status_code == 404


def test_fetcher_finds_the_hashed_stylesheet_of_the_manifest_storage(
    settings, tmp_path
):
    """Production's manifest storage makes `{% static %}` give invoice.<hash>.css,
    a name only STATIC_ROOT has (found by `make bench`: invoices rendered unstyled)."""
    import json

    from django.contrib.staticfiles.storage import staticfiles_storage

    (tmp_path / "orders").mkdir()
    (tmp_path / "orders" / "invoice.0123abcd.css").write_text("@page { size: A4 }")
    (tmp_path / "staticfiles.json").write_text(
        json.dumps(
            {
                "paths": {"orders/invoice.css": "orders/invoice.0123abcd.css"},
                "version": "1.1",
            }
        )
    )
    settings.STATIC_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        },
    }
    # (The settings fixture's setting_changed signal resets the storage.)
    assert staticfiles_storage.path("x").startswith(str(tmp_path))

    fetcher = StaticOnlyFetcher()
    css = fetcher.fetch(f"{BASE_URL}static/orders/invoice.0123abcd.css")

    assert css.read() == b"@page { size: A4 }"
    with pytest.raises(ValueError):
        fetcher.fetch(f"{BASE_URL}static/orders/invoice.ffffffff.css")
