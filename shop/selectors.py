"""Catalog reads: each page's products in a fixed number of queries."""

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet
from wagtail.images import get_image_model

from core.cache_tags import cache_depends
from core.renditions import picture_specs

from . import recommender
from .models import Product

LIST_THUMBNAIL = "fill-460x306"
DETAIL_IMAGE = "max-800x600"
# What the {% picture %} tags ask for: AVIF, WebP and the JPEG fallback.
LIST_THUMBNAILS = picture_specs(LIST_THUMBNAIL)
DETAIL_IMAGES = picture_specs(DETAIL_IMAGE)


def with_images(products: QuerySet, specs: list[str]) -> QuerySet:
    """Category and image joined, the image's `specs` renditions in one more query
    (whatever the number of products)."""
    renditions = get_image_model().get_rendition_model().objects
    return products.select_related("category", "image").prefetch_related(
        Prefetch(
            "image__renditions",
            queryset=renditions.filter(filter_spec__in=specs),
            to_attr="prefetched_renditions",
        )
    )


def product_list(*, category=None) -> QuerySet:
    """Available products with category, image and the card renditions: 2 queries."""
    products = with_images(
        Product.objects.filter(available=True), LIST_THUMBNAILS
    ).order_by("name", "id")
    if category is not None:
        products = products.filter(category=category)
    return products


def product_detail(*, id: int, slug: str) -> Product:
    """One available product with category, image and its detail renditions: 2
    queries (raises Product.DoesNotExist)."""
    return with_images(Product.objects.filter(available=True), DETAIL_IMAGES).get(
        id=id, slug=slug
    )


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
        products = with_images(products, LIST_THUMBNAILS)
    else:
        products = products.select_related("category")
    rank = {product_id: index for index, product_id in enumerate(ids)}
    return sorted(products, key=lambda product: rank[product.id])[:limit]
