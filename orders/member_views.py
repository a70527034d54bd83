"""The member's side of orders, under /account/orders/: their order history, one
order with its timeline and documents, and linking a guest order to the account.
Another member's order is a 404, exactly like one that does not exist."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache

from .documents import credit_note_response, invoice_response
from .services.members import (
    ClaimRefused,
    member_credit_note_get,
    member_order_credit_notes,
    member_order_get,
    member_order_timeline,
    member_orders,
    order_claim,
    order_claim_token_read,
    order_has_invoice,
)

ORDERS_PER_PAGE = 20


@never_cache
@login_required
def order_list(request):
    page_obj = Paginator(member_orders(user=request.user), ORDERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return TemplateResponse(
        request,
        "orders/member/order_list.html",
        {"page_obj": page_obj, "orders": page_obj},
    )


def _own_order(request, number: int):
    order = member_order_get(user=request.user, order_id=number)
    if order is None:
        raise Http404("No such order.")
    return order


@never_cache
@login_required
def order_detail(request, number):
    order = _own_order(request, number)
    return TemplateResponse(
        request,
        "orders/member/order_detail.html",
        {
            "order": order,
            "items": order.items.all(),
            "events": member_order_timeline(order=order),
            "credit_notes": member_order_credit_notes(order=order),
        },
    )


@never_cache
@login_required
def order_invoice(request, number):
    """The invoice PDF of one of the member's paid orders (404 otherwise)."""
    order = _own_order(request, number)
    if not order_has_invoice(order):
        raise Http404("This order has no invoice yet.")
    return invoice_response(order, download=True)


@never_cache
@login_required
def order_credit_note(request, number, refund_id):
    """The credit note PDF of a confirmed refund of one of the member's orders (404
    for another order's refund, an unconfirmed one, or another member's order)."""
    order = _own_order(request, number)
    refund = member_credit_note_get(order=order, refund_id=refund_id)
    if refund is None:
        raise Http404("No such credit note.")
    return credit_note_response(refund, download=True)


@never_cache
@login_required
def order_claim_view(request, token):
    """ "Save this order to your account": GET asks, POST links (never a GET that
    writes). A tampered or expired link is a 400 page with a message."""
    try:
        order_id, _email = order_claim_token_read(token)
    except signing.SignatureExpired:
        return _claim_problem(request, "This link has expired.")
    except signing.BadSignature:
        return _claim_problem(request, "This link is not valid.")
    if request.method != "POST":
        return TemplateResponse(
            request,
            "orders/member/order_claim.html",
            {"token": token, "number": f"{order_id:06d}"},
        )
    try:
        order = order_claim(token=token, user=request.user)
    except signing.SignatureExpired:
        return _claim_problem(request, "This link has expired.")
    except signing.BadSignature:
        return _claim_problem(request, "This link is not valid.")
    except ClaimRefused as exc:
        messages.error(request, str(exc))
        return redirect("member_orders:list")
    messages.success(request, f"Order {order.number} is now in your account.")
    return redirect("member_orders:detail", number=order.pk)


def _claim_problem(request, problem: str):
    return TemplateResponse(
        request,
        "orders/member/order_claim.html",
        {"problem": problem},
        status=400,
    )
