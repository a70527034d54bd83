import importlib

from django.core.management.base import BaseCommand
from django.db import transaction

from core.devdb import add_not_production_argument, refuse_unless_development

# Each app that has demo content keeps it in `<app>/demo.py` with `load(command)`.
# Order matters: later apps use the users and pages earlier ones create.
DEMO_APPS = ["home", "accounts", "blog", "shop", "coupons", "orders", "gallery"]


class Command(BaseCommand):
    help = (
        "Load demo content: the site tree, an admin login and each app's sample data. "
        "Idempotent (running it again duplicates nothing) and needs no network. "
        "Only on a database marked as a development one (core/devdb.py)."
    )

    def add_arguments(self, parser):
        add_not_production_argument(parser)

    def handle(self, *args, not_production=False, **options):
        refuse_unless_development(
            not_production=not_production, command_name="load_demo"
        )
        for app_label in DEMO_APPS:
            try:
                module = importlib.import_module(f"{app_label}.demo")
            except ModuleNotFoundError as exc:
                if exc.name == f"{app_label}.demo":
                    continue
                raise
            with transaction.atomic():
                module.load(self)
        self.stdout.write(self.style.SUCCESS("Demo content is ready."))
