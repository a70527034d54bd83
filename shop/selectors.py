"""Catalog reads: each page's products in a fixed number of queries."""

from django.db.models import Prefetch, QuerySet
from wagtail.images import get_image_model

from .models import Product

LIST_THUMBNAIL = "fill-460x306"
DETAIL_IMAGE = "max-800x600"


def product_list(*, category=None, rendition: str = LIST_THUMBNAIL) -> QuerySet:
    """Available products with category, image and the card rendition prefetched."""
    images = get_image_model().objects.prefetch_renditions(rendition)
    products = (
        Product.objects.filter(available=True)
        .select_related("category")
        .prefetch_related(Prefetch("image", queryset=images))
        .order_by("name", "id")
    )
    if category is not None:
        products = products.filter(category=category)
    return products


def featured_products(*, limit: int = 4) -> list[Product]:
    """Newest available products for the home page."""
    return list(product_list().order_by("-created", "-id")[:limit])
