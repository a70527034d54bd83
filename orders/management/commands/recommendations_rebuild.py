import redis
from django.core.management.base import BaseCommand, CommandError

from orders.services.recommendations import recommendations_rebuild


class Command(BaseCommand):
    help = (
        'Recompute the shop\'s "bought together" scores in Redis from the paid '
        "orders. Clears only the recommender's own keys first, so it can be run "
        "again at any time (e.g. after Redis lost its data)."
    )

    def handle(self, *args, **options):
        try:
            counted = recommendations_rebuild()
        except redis.RedisError as exc:
            raise CommandError(f"Redis is unreachable: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(f"Recommendations rebuilt from {counted} paid orders.")
        )
