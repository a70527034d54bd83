"""Catalog reads: each page's products in a fixed number of queries."""

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet
from wagtail.images import get_image_model

from core.cache_tags import cache_depends

from . import recommender
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


def products_bought_with(
    *, product_ids: Iterable[int], limit: int = 4, images: bool = True
) -> list[Product]:
    """Up to `limit` available products most often bought with `product_ids` (never
    those themselves), best first; [] when Redis is unreachable.

    No query when nothing was bought together; otherwise one query for the products
    with their category (and image), plus one for the card renditions with
    `images`."""
    ids = recommender.suggested_ids(product_ids=product_ids)
    # Every suggestion, shown or not: one coming back in stock or available shows.
    cache_depends(*(f"product:{pk}" for pk in ids))
    if not ids:
        return []
    products = Product.objects.filter(id__in=ids, available=True)
    if images:
        renditions = get_image_model().get_rendition_model().objects
        products = products.select_related("category", "image").prefetch_related(
            Prefetch(
                "image__renditions",
                queryset=renditions.filter(filter_spec=LIST_THUMBNAIL),
                to_attr="prefetched_renditions",
            )
        )
    else:
        products = products.select_related("category")
    rank = {product_id: index for index, product_id in enumerate(ids)}
    return sorted(products, key=lambda product: rank[product.id])[:limit]
