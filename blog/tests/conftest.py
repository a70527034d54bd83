import pytest

from core.demo import site_root_page

from .factories import BlogIndexPageFactory


@pytest.fixture
def home_page(db):
    return site_root_page()


@pytest.fixture
def blog_index(home_page):
    return BlogIndexPageFactory(parent=home_page)
