import logging

from django.conf import settings
from django.contrib import messages
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from core import page_cache
from core.cache_tags import cache_depends
from core.ratelimit import client_ip, rate_limited
from coupons.exceptions import CouponError
from coupons.forms import CouponApplyForm
from coupons.selectors import coupon_usable

from . import selectors
from .cart import Cart
from .forms import CartAddProductForm
from .models import Category, Product

logger = logging.getLogger(__name__)

PAGE_SIZE = 12


def product_list(request, category_slug=None):
    category = None
    if category_slug:
        category = get_object_or_404(Category, slug=category_slug)
    paginator = Paginator(selectors.product_list(category=category), PAGE_SIZE)
    try:
        page_obj = paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        page_obj = paginator.page(1)
    except EmptyPage:
        page_obj = paginator.page(paginator.num_pages)
    page_cache.paginated(request, page_obj)
    cache_depends("products")
    return TemplateResponse(
        request,
        "shop/product_list.html",
        {
            "category": category,
            "categories": Category.objects.all(),
            "page_obj": page_obj,
            "products": page_obj.object_list,
        },
    )


def product_detail(request, id, slug):
    try:
        product = selectors.product_detail(id=id, slug=slug)
    except Product.DoesNotExist as exc:
        raise Http404("No such product") from exc
    # The same for every visitor (the page cache keeps it with the page).
    bought_together = selectors.products_bought_with(product_ids=[product.id])
    # (The suggestions' tags are recorded by the selector.)
    cache_depends(f"product:{product.id}", f"category:{product.category_id}")
    return TemplateResponse(
        request,
        "shop/product_detail.html",
        {
            "product": product,
            "cart_product_form": CartAddProductForm(),
            "bought_together": bought_together,
        },
    )


@require_POST
def cart_add(request, product_id):
    product = Product.objects.filter(id=product_id, available=True).first()
    if product is None:
        messages.error(request, "That product is not available.")
        return redirect("cart:cart_detail")
    if not product.in_stock:
        messages.error(request, f"{product.name} is sold out.")
        return redirect(product)
    form = CartAddProductForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        # An update from the cart page goes back there; an add goes back to the product.
        return redirect("cart:cart_detail" if request.POST.get("override") else product)
    quantity = Cart(request).add(
        product, form.cleaned_data["quantity"], override=form.cleaned_data["override"]
    )
    messages.success(request, f"{product.name}: {quantity} in your cart.")
    return redirect("cart:cart_detail")


@require_POST
def cart_remove(request, product_id):
    cart = Cart(request)
    if cart.remove(product_id):
        messages.success(request, "The product was removed from your cart.")
    else:
        messages.info(request, "That product was not in your cart.")
    return redirect("cart:cart_detail")


def cart_detail(request):
    cart = Cart(request)
    lines = cart.lines()
    for name in cart.dropped:
        messages.warning(request, f"{name} is no longer available and left your cart.")
    coupon = cart.coupon
    if cart.coupon_problem:
        messages.warning(request, f"{cart.coupon_problem} It was removed.")
    for line in lines:
        line.update_form = CartAddProductForm(
            initial={"quantity": line.quantity, "override": True}
        )
    bought_together = []
    if lines:
        bought_together = selectors.products_bought_with(
            product_ids=[line.product.id for line in lines], images=False
        )
    return TemplateResponse(
        request,
        "shop/cart_detail.html",
        {
            "cart": cart,
            "lines": lines,
            "subtotal": cart.get_total_price(),
            "coupon": coupon,
            "discount": cart.get_discount(),
            "total": cart.get_total_price_after_discount(),
            "coupon_form": CouponApplyForm(),
            "bought_together": bought_together,
        },
    )


@require_POST
def coupon_apply(request):
    """Apply a coupon code to the cart. Tries are rate limited per client address,
    so codes cannot be guessed by script; every refusal is a message."""
    cart = Cart(request)
    if rate_limited(
        "coupon",
        client_ip(request),
        limit=settings.COUPON_ATTEMPTS,
        window=settings.COUPON_ATTEMPTS_WINDOW,
    ):
        messages.error(request, "Too many coupon codes tried. Please wait a while.")
        return redirect("cart:cart_detail")
    form = CouponApplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["code"][0])
        return redirect("cart:cart_detail")
    if not cart.lines():
        messages.error(request, "Your cart is empty.")
        return redirect("cart:cart_detail")
    try:
        coupon = coupon_usable(
            code=form.cleaned_data["code"], subtotal=cart.get_total_price()
        )
    except CouponError as exc:
        messages.error(request, str(exc))
        return redirect("cart:cart_detail")
    cart.coupon_apply(coupon)
    messages.success(request, f"Coupon {coupon.code} applied: {coupon.discount} % off.")
    return redirect("cart:cart_detail")


@require_POST
def coupon_remove(request):
    if Cart(request).coupon_remove():
        messages.success(request, "The coupon was removed.")
    return redirect("cart:cart_detail")
