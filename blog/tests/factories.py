import factory
import wagtail_factories
from django.contrib.auth import get_user_model

from blog.models import BlogIndexPage, BlogPage, Comment


class UserFactory(factory.django.DjangoModelFactory):
    username = factory.Sequence(lambda n: f"writer{n}")
    first_name = "Jane"
    last_name = factory.Sequence(lambda n: f"Writer{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")

    class Meta:
        model = get_user_model()


class BlogIndexPageFactory(wagtail_factories.PageFactory):
    title = "Blog"
    slug = "blog"
    intro = "All the posts."

    class Meta:
        model = BlogIndexPage


class BlogPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Post number {n}")
    slug = factory.Sequence(lambda n: f"post-{n}")
    intro = "A short introduction."
    author = factory.SubFactory(UserFactory)

    class Meta:
        model = BlogPage
        skip_postgeneration_save = True

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        if extracted:
            obj.tags.add(*extracted)
            if obj.live:
                obj.save_revision().publish()  # as an editor does
            else:
                obj.save()


class CommentFactory(factory.django.DjangoModelFactory):
    post = factory.SubFactory(BlogPageFactory)
    name = factory.Sequence(lambda n: f"Reader {n}")
    email = factory.Sequence(lambda n: f"reader{n}@example.com")
    body = "Nice post."
    active = True

    class Meta:
        model = Comment
