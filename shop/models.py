"""Catalog: categories and products, edited by staff in the Wagtail admin."""

from django.db import models
from django.urls import reverse
from wagtail.admin.panels import FieldPanel
from wagtail.search import index
from wagtail.search.queryset import SearchableQuerySetMixin


class Category(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)

    panels = [FieldPanel("name"), FieldPanel("slug")]

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("shop:product_list_by_category", args=[self.slug])


class ProductQuerySet(SearchableQuerySetMixin, models.QuerySet):
    pass


class StockPanel(FieldPanel):
    """The stock field plus, hidden, the stock the form was loaded with (when the
    form has it: `shop.forms.ProductAdminForm` applies the edit as a change)."""

    class BoundPanel(FieldPanel.BoundPanel):
        def get_editable_context_data(self):
            context = super().get_editable_context_data()
            if "stock_loaded" in self.form.fields:
                context["rendered_field"] += self.form["stock_loaded"].as_hidden()
            return context


class Product(index.Indexed, models.Model):
    """A thing we sell. Stock changes only through conditional `UPDATE`s (services),
    so a sale never triggers a search-index rewrite and two buyers never share the
    last unit."""

    category = models.ForeignKey(
        Category, related_name="products", on_delete=models.PROTECT
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = models.TextField(blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    stock = models.PositiveIntegerField(
        default=0, help_text="Units on hand; checkout reserves from this."
    )
    available = models.BooleanField(
        default=True, help_text="Unticked products are hidden and leave carts."
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ProductQuerySet.as_manager()

    panels = [
        FieldPanel("category"),
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("image"),
        FieldPanel("description"),
        FieldPanel("price"),
        StockPanel(
            "stock",
            help_text="Units on hand; checkout reserves from this. Your edit is "
            "applied as a change, so units ordered or released meanwhile are kept.",
        ),
        FieldPanel("available"),
    ]

    search_fields = [
        index.SearchField("name", boost=3),
        index.AutocompleteField("name"),
        index.SearchField("description"),
        index.FilterField("available"),
        index.FilterField("category"),
    ]

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["id", "slug"]),
            models.Index(fields=["name"]),
            models.Index(fields=["-created"]),
            models.Index(fields=["available", "category", "name"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="shop_product_price_gte_0"
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("shop:product_detail", args=[self.id, self.slug])

    @property
    def in_stock(self) -> bool:
        return self.stock > 0
