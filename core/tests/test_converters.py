"""`<id64:…>`: ids that cannot exist in a bigint column are a 404 before any view."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from core.converters import ID64_MAX, id64_or_none


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        ("007", 7),
        (str(ID64_MAX), ID64_MAX),
        (42, 42),
        (str(ID64_MAX + 1), None),
        (str(10**30), None),
        ("0", None),
        ("-3", None),
        ("+3", None),
        (" 3", None),
        ("3.0", None),
        ("٣", None),  # an Arabic-Indic digit: isdigit() but not an id
        ("", None),
        (None, None),
        (True, None),
        (0, None),
        (ID64_MAX + 1, None),
    ],
)
def test_id64_or_none(value, expected):
    assert id64_or_none(value) == expected


def test_reversing_gives_the_plain_number():
    assert reverse("shop:product_detail", args=[7, "tea"]) == "/shop/7/tea/"
    assert reverse("gallery:detail", args=["12", "sky"]) == "/gallery/12/sky/"


@pytest.mark.django_db
@pytest.mark.parametrize("pk", [str(ID64_MAX + 1), str(10**30), "0"])
def test_ids_out_of_range_are_not_found(client, pk):
    assert client.get(f"/shop/{pk}/tea/").status_code == 404
    assert client.get(f"/gallery/{pk}/sky/").status_code == 404
    staff = get_user_model().objects.create_user("staff", is_staff=True)
    client.force_login(staff)
    assert client.get(f"/orders/{pk}/invoice.pdf").status_code == 404


@pytest.mark.django_db
def test_the_largest_id_is_looked_up_and_not_found(client):
    assert client.get(f"/shop/{ID64_MAX}/tea/").status_code == 404
    assert client.get(f"/gallery/{ID64_MAX}/sky/").status_code == 404
