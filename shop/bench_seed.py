"""Bench data: 50 categories and 5,000 products (a few shared images with their list
and detail renditions made once), indexed with one INSERT … SELECT.
Idempotent by the `bench-` slug prefixes."""

from decimal import Decimal

from bench.seeding import fill_search_index, rng, scaled, sentence, shared_images

from .models import Category, Product
from .selectors import DETAIL_IMAGES, LIST_THUMBNAILS

BASE_CATEGORIES = 50
BASE_PRODUCTS = 5000
CATEGORY_PREFIX = "bench-category-"
PRODUCT_PREFIX = "bench-product-"
STOCK = 1_000_000  # carts and checkouts of the bench never run out
BATCH = 2500


def bench_products():
    return Product.objects.filter(slug__startswith=PRODUCT_PREFIX)


def seed(command, scale):
    wanted_categories = scaled(BASE_CATEGORIES, scale)
    have = set(
        Category.objects.filter(slug__startswith=CATEGORY_PREFIX).values_list(
            "slug", flat=True
        )
    )
    Category.objects.bulk_create(
        [
            Category(name=f"Bench category {n}", slug=f"{CATEGORY_PREFIX}{n}")
            for n in range(1, wanted_categories + 1)
            if f"{CATEGORY_PREFIX}{n}" not in have
        ]
    )
    categories = list(
        Category.objects.filter(slug__startswith=CATEGORY_PREFIX).order_by("pk")
    )
    images = shared_images("Bench product", [*LIST_THUMBNAILS, *DETAIL_IMAGES])
    wanted = scaled(BASE_PRODUCTS, scale)
    have_products = bench_products().count()
    with command.progress("products", max(wanted - have_products, 0)) as bar:
        for start in range(have_products, wanted, BATCH):
            r = rng(start)
            batch = [
                Product(
                    category=categories[n % len(categories)],
                    name=f"{sentence(r, 3)} {n}",
                    slug=f"{PRODUCT_PREFIX}{n}",
                    image=images[n % len(images)],
                    description=sentence(r, 30) + ".",
                    price=Decimal(r.randint(100, 20000)) / 100,
                    stock=STOCK,
                )
                for n in range(start, min(start + BATCH, wanted))
            ]
            Product.objects.bulk_create(batch)
            bar.advance(len(batch))
    index_products(command)
    return []


def index_products(command, *, where: str = "") -> int:
    """Product's search fields: name 3→D, description (no boost)→D; no field called
    "title", so the title vector stays empty; autocomplete on the name."""
    count = fill_search_index(
        Product,
        source="shop_product src",
        where=where
        or "src.slug LIKE %(prefix)s AND NOT EXISTS (SELECT 1 FROM "
        "wagtailsearch_indexentry e WHERE e.content_type_id = %(ct)s "
        "AND e.object_id = src.id::text)",
        params={"prefix": PRODUCT_PREFIX + "%"},
        title=[],
        body=[("src.name", "D"), ("src.description", "D")],
        autocomplete=["src.name"],
    )
    command.stdout.write(f"  search index: {count} products")
    return count
