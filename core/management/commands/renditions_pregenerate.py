"""Render the list/detail thumbnails that bulk-loaded rows have not got yet."""

from django.core.management.base import BaseCommand

from core import renditions


class Command(BaseCommand):
    help = (
        "Create the renditions named in settings.PRERENDER_RENDITIONS for every image "
        "that lacks them (run after a bulk import or seed_bench). Idempotent."
    )

    def handle(self, *args, **options):
        missing = renditions.renditions_missing()
        total = len(missing)
        self.stdout.write(f"{total} images need renditions")
        for done, (image_id, specs) in enumerate(sorted(missing.items()), start=1):
            renditions.renditions_create(image_id=image_id, specs=sorted(specs))
            if done % 100 == 0 or done == total:
                self.stdout.write(f"  {done}/{total}")
