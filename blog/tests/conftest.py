import pytest

from home.models import HomePage

from .factories import BlogIndexPageFactory


@pytest.fixture
def home_page(db):
    return HomePage.objects.get()


@pytest.fixture
def blog_index(home_page):
    return BlogIndexPageFactory(parent=home_page)
