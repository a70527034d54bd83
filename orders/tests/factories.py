from decimal import Decimal

import factory

from orders.models import Order, OrderItem
from orders.services.checkout import order_lines_total
from shop.tests.factories import ProductFactory

# The checkout form as a shopper fills it in.
CUSTOMER = {
    "first_name": "Grace",
    "last_name": "Hopper",
    "email": "grace@example.com",
    "address": "1 Compiler Way",
    "postal_code": "10001",
    "city": "New York",
}


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    first_name = "Ada"
    last_name = "Lovelace"
    email = factory.Sequence(lambda n: f"buyer{n}@example.com")
    address = "1 Analytical Street"
    postal_code = "12345"
    city = "London"
    currency = "eur"


class OrderItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderItem

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory)
    product_name = factory.SelfAttribute("product.name")
    price = Decimal("10.00")
    quantity = 1


def order_with_items(n_items: int = 2, *, price=Decimal("10.00"), **kwargs) -> Order:
    order = OrderFactory(**kwargs)
    for _ in range(n_items):
        OrderItemFactory(order=order, price=price, quantity=2)
    order.total = order_lines_total(items=order.items.all())
    order.save(update_fields=["total"])
    return order
