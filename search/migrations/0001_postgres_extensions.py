from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    """pg_trgm for typo-tolerant search, unaccent for accent-insensitive matching."""

    initial = True
    dependencies: list = []
    operations = [TrigramExtension(), UnaccentExtension()]
