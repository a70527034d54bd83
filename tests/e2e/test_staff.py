"""Journey 8, staff: the orders in Wagtail's admin, a PDF invoice and a CSV export.

The demo site brings paid and unpaid orders. Wagtail's admin is not ours to fix: its
axe results are reported (logged), not asserted.
"""

import csv
import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from orders.models import Order

from .helpers import admin_login, axe_violations, screenshot

pytestmark = pytest.mark.e2e


def test_staff_filters_paid_orders_reads_an_invoice_and_exports_them(page, demo_site):
    paid = Order.objects.filter(status=Order.Status.PAID)
    paid_ids = set(paid.values_list("id", flat=True))
    unpaid_ids = set(
        Order.objects.exclude(status=Order.Status.PAID).values_list("id", flat=True)
    )
    assert paid_ids and unpaid_ids  # the demo has both kinds

    admin_login(page, demo_site.username, demo_site.password)

    # Shop → Orders in the sidebar menu.
    sidebar = page.get_by_role("navigation", name="Main menu")
    sidebar.get_by_role("button", name="Shop").click()
    sidebar.get_by_role("link", name="Orders").click()
    expect(page).to_have_url(re.compile(r"/admin/orders/order/$"))
    rows = page.locator("table.listing tbody tr")
    expect(rows).to_have_count(len(paid_ids) + len(unpaid_ids))

    # Only the paid ones.
    filters = page.locator(".changelist-filter")
    by_status = filters.get_by_text("By status")  # the filter's box, with its choices
    by_status.get_by_role("link", name="Paid", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]status__exact=paid"))
    expect(rows).to_have_count(len(paid_ids))
    # The first cell holds the order number (and the row's Inspect button).
    first_cells = rows.locator("td:first-child").all_inner_texts()
    shown = {int(text.split()[0]) for text in first_cells}
    assert shown == paid_ids
    axe_violations(page)
    screenshot(page, "admin-orders")

    # One paid order, inspected.
    first = rows.first
    order_id = int(first.locator("td").first.inner_text().split()[0])
    assert order_id in paid_ids
    order = Order.objects.get(pk=order_id)
    first.get_by_role("link", name="Inspect").click()
    expect(page).to_have_url(re.compile(rf"/admin/orders/order/inspect/{order_id}/$"))
    expect(page.get_by_text(order.email).first).to_be_visible()
    expect(page.locator("[data-order-total]")).to_have_text(f"{order.total} EUR")
    axe_violations(page)

    # Its PDF invoice, in the browser's PDF viewer.
    with page.expect_response(re.compile(r"/invoice\.pdf$")) as response_info:
        page.get_by_role("link", name="PDF invoice").click()
    response = response_info.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    expect(page).to_have_url(re.compile(rf"/orders/{order_id}/invoice\.pdf$"))
    # The viewer consumes the body: fetch the same URL again in the staff session.
    pdf = page.context.request.get(response.url)
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert f"Invoice no. {order.number}" in text
    assert order.last_name in text

    # Back to the filtered list; export exactly what it shows.
    page.go_back()
    expect(page).to_have_url(re.compile(rf"/inspect/{order_id}/$"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"[?&]status__exact=paid"))
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    assert re.fullmatch(r"orders-\d{8}-\d{6}\.csv", download.suggested_filename)
    with open(download.path(), encoding="utf-8-sig", newline="") as f:
        header, *data = list(csv.reader(f))
    assert header[:5] == ["Order", "Created", "Updated", "Status", "Paid"]
    assert {int(row[0]) for row in data} == paid_ids
    assert len(data) == len(paid_ids)
    assert {row[header.index("Paid")] for row in data} == {"yes"}
