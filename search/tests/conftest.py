import pytest

from blog.tests.factories import BlogIndexPageFactory
from home.models import HomePage


@pytest.fixture
def blog_index(db):
    return BlogIndexPageFactory(parent=HomePage.objects.get())
