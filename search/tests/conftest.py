import pytest

from blog.tests.factories import BlogIndexPageFactory
from core.demo import site_root_page


@pytest.fixture
def blog_index(db):
    return BlogIndexPageFactory(parent=site_root_page())
