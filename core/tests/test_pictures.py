"""Images are <picture>s: AVIF and WebP sources, a JPEG <img> fallback with width and
height, lazy below the fold; their renditions come from the worker, never from a
page render."""

import re

import pytest
from django.conf import settings
from PIL import features
from wagtail.images import get_image_model

from blog import selectors as blog_selectors
from blog.tests.factories import BlogIndexPageFactory, BlogPageFactory
from core.demo import site_root_page
from core.renditions import picture_specs, renditions_create
from gallery import selectors as gallery_selectors
from gallery.tests.factories import BookmarkFactory, ImageFactory
from shop import selectors as shop_selectors
from shop.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

PICTURE_RE = re.compile(r"<picture>(.*?)</picture>", re.S)


def pictures(html: str) -> list[str]:
    return PICTURE_RE.findall(html)


def assert_picture(picture: str, *, lazy: bool) -> None:
    """AVIF, then WebP sources, then a JPEG <img> with its size; lazy or not."""
    sources = re.findall(r'<source[^>]*type="(image/[a-z]+)"', picture)
    assert sources == ["image/avif", "image/webp"], picture
    assert re.search(r'<source[^>]*srcset="[^"]+\.avif"', picture), picture
    assert re.search(r'<source[^>]*srcset="[^"]+\.webp"', picture), picture
    img = re.search(r"<img[^>]*>", picture).group(0)
    assert re.search(r'src="[^"]+\.jpg"', img), img
    assert re.search(r'width="\d+"', img) and re.search(r'height="\d+"', img), img
    assert ('loading="lazy"' in img) is lazy, img


def pregenerate(*objects) -> None:
    """What the worker does after each save (core.tasks.renditions_create)."""
    for obj in objects:
        field, specs = settings.PRERENDER_RENDITIONS[obj._meta.label]
        image_id = getattr(obj, f"{field}_id")
        assert renditions_create(image_id=image_id, specs=specs) == len(specs)


def rendition_count() -> int:
    return get_image_model().get_rendition_model().objects.count()


def test_pillow_can_write_avif_and_webp():
    assert features.check("avif"), "Pillow without AVIF: pin one that has it"
    assert features.check("webp")


def test_pregenerated_specs_are_the_ones_pages_prefetch():
    """Templates, prefetches and the worker ask for the same renditions."""
    specs = {label: set(s) for label, (_f, s) in settings.PRERENDER_RENDITIONS.items()}
    assert specs["blog.BlogPage"] == set(blog_selectors.CARD_RENDITIONS)
    assert specs["shop.Product"] == {
        *shop_selectors.LIST_THUMBNAILS,
        *shop_selectors.DETAIL_IMAGES,
    }
    assert specs["gallery.Bookmark"] == {
        *gallery_selectors.THUMBNAIL_SPECS,
        *gallery_selectors.DETAIL_SPECS,
    }
    assert specs["home.HomePage"] == set(picture_specs("fill-1600x500"))
    assert picture_specs("fill-1x1") == [
        "fill-1x1|format-avif",
        "fill-1x1|format-webp",
        "fill-1x1|format-jpeg",
    ]


def test_the_worker_task_writes_real_avif_webp_and_jpeg_files():
    from PIL import Image

    image = ImageFactory()
    specs = picture_specs("fill-400x300")
    assert renditions_create(image_id=image.pk, specs=specs) == 3
    formats = {}
    for rendition in image.renditions.filter(filter_spec__in=specs):
        with rendition.file.open("rb") as handle, Image.open(handle) as picture:
            formats[rendition.filter_spec] = (picture.format, picture.size)
    assert formats == {
        "fill-400x300|format-avif": ("AVIF", (400, 300)),
        "fill-400x300|format-webp": ("WEBP", (400, 300)),
        "fill-400x300|format-jpeg": ("JPEG", (400, 300)),
    }


def test_home_page_hero_is_eager_and_sections_are_lazy(client, settings):
    settings.PAGE_CACHE_ENABLED = False
    home = site_root_page().specific
    home.hero_image = ImageFactory()
    home.save_revision().publish()
    index = BlogIndexPageFactory(parent=home)
    post = BlogPageFactory(parent=index, cover_image=ImageFactory())
    product = ProductFactory(image=ImageFactory())
    bookmark = BookmarkFactory()
    pregenerate(home, post, product, bookmark)
    before = rendition_count()

    html = client.get("/").content.decode()

    found = pictures(html)
    assert len(found) == 4, html  # hero, post card, product card, bookmark card
    hero, *below = found
    assert_picture(hero, lazy=False)
    assert 'class="hero-image"' in hero
    for picture in below:
        assert_picture(picture, lazy=True)
    assert rendition_count() == before  # nothing resized while the visitor waits


def test_blog_index_first_card_is_eager_the_rest_lazy(client, settings):
    settings.PAGE_CACHE_ENABLED = False
    index = BlogIndexPageFactory(parent=site_root_page())
    posts = [
        BlogPageFactory(parent=index, cover_image=ImageFactory()) for _ in range(3)
    ]
    pregenerate(*posts)
    before = rendition_count()

    html = client.get(index.url).content.decode()

    first, *rest = pictures(html)
    assert_picture(first, lazy=False)
    assert len(rest) == 2
    for picture in rest:
        assert_picture(picture, lazy=True)
    assert rendition_count() == before


def test_product_pages_use_pictures(client, settings):
    settings.PAGE_CACHE_ENABLED = False
    products = [ProductFactory(image=ImageFactory()) for _ in range(3)]
    pregenerate(*products)
    before = rendition_count()

    first, *rest = pictures(client.get("/shop/").content.decode())
    assert_picture(first, lazy=False)
    assert len(rest) == 2
    for picture in rest:
        assert_picture(picture, lazy=True)

    detail = client.get(products[0].get_absolute_url()).content.decode()
    (main,) = pictures(detail)
    assert_picture(main, lazy=False)
    assert 'width="640" height="480"' not in main  # a rendition, not the original
    assert rendition_count() == before


def test_gallery_pages_use_pictures(client, settings):
    settings.PAGE_CACHE_ENABLED = False
    bookmarks = [BookmarkFactory() for _ in range(3)]
    pregenerate(*bookmarks)
    before = rendition_count()

    first, *rest = pictures(client.get("/gallery/").content.decode())
    assert_picture(first, lazy=False)
    assert len(rest) == 2
    for picture in rest:
        assert_picture(picture, lazy=True)

    # Infinite scroll's next cards are all below the fold.
    fragment = client.get("/gallery/?page=1&fragment=1").content.decode()
    for picture in pictures(fragment):
        assert_picture(picture, lazy=True)

    detail = client.get(bookmarks[0].get_absolute_url()).content.decode()
    (main,) = pictures(detail)
    assert_picture(main, lazy=False)
    assert rendition_count() == before
