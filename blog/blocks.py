"""The blocks a post body is made of; each renders through its own template."""

from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        required=False,
        max_length=200,
        help_text="Describe the image for people who cannot see it. "
        "Leave empty for a purely decorative image.",
    )
    caption = blocks.CharBlock(required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "blocks/image_block.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False, max_length=200)

    class Meta:
        icon = "openquote"
        template = "blocks/quote_block.html"


class CodeBlock(blocks.StructBlock):
    language = blocks.ChoiceBlock(
        choices=[
            ("text", "Plain text"),
            ("python", "Python"),
            ("html", "HTML"),
            ("css", "CSS"),
            ("javascript", "JavaScript"),
            ("bash", "Shell"),
            ("sql", "SQL"),
        ],
        default="text",
    )
    code = blocks.TextBlock()

    class Meta:
        icon = "code"
        template = "blocks/code_block.html"


class MarkdownBlock(blocks.TextBlock):
    """Markdown source; rendered then sanitised by the `markdown` filter."""

    class Meta:
        icon = "doc-full"
        template = "blocks/markdown_block.html"


class BlogStreamBlock(blocks.StreamBlock):
    rich_text = blocks.RichTextBlock(
        features=["h2", "h3", "bold", "italic", "link", "ol", "ul", "code"],
        template="blocks/rich_text_block.html",
    )
    markdown = MarkdownBlock()
    image = ImageBlock()
    quote = QuoteBlock()
    code = CodeBlock()
