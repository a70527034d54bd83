"""Demo catalog: a few categories and two dozen products with generated images."""

from decimal import Decimal

from django.utils.text import slugify

from core.demo import demo_image

from .models import Category, Product

CATALOG = {
    "Kitchen": [
        ("Copper kettle", "19.90"),
        ("Cast iron pan", "45.00"),
        ("Chef's knife", "79.50"),
        ("Olive wood board", "32.00"),
        ("Espresso cups (set of 4)", "24.00"),
        ("Linen apron", "28.00"),
    ],
    "Stationery": [
        ("Dotted notebook", "12.50"),
        ("Brass fountain pen", "59.00"),
        ("Ink bottle, blue-black", "9.90"),
        ("Leather pencil case", "22.00"),
        ("Desk calendar", "15.00"),
        ("Washi tape trio", "7.50"),
    ],
    "Home": [
        ("Wool throw", "89.00"),
        ("Ceramic vase", "34.00"),
        ("Beeswax candles", "14.00"),
        ("Linen cushion", "39.00"),
        ("Oak wall shelf", "69.00"),
        ("Cotton rug", "120.00"),
    ],
    "Outdoors": [
        ("Enamel camping mug", "11.00"),
        ("Brass compass", "42.00"),
        ("Canvas backpack", "95.00"),
        ("Picnic blanket", "49.00"),
        ("Pocket knife", "36.00"),
    ],
}


def load(command) -> None:
    seed = 0
    created = 0
    for category_name, products in CATALOG.items():
        category, _ = Category.objects.get_or_create(
            slug=slugify(category_name), defaults={"name": category_name}
        )
        for name, price in products:
            seed += 1
            if Product.objects.filter(slug=slugify(name), category=category).exists():
                continue
            Product.objects.create(
                category=category,
                name=name,
                slug=slugify(name),
                image=demo_image(f"Product: {name}", seed=seed + 40, size=(900, 600)),
                description=f"{name}: a demo product, made to last and easy to love.",
                price=Decimal(price),
                stock=3 + seed % 12,
            )
            created += 1
    command.stdout.write(
        f"Shop: {Category.objects.count()} categories, "
        f"{Product.objects.count()} products ({created} new)."
    )
