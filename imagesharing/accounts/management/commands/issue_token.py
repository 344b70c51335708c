"""Print a new API token for a user; only its digest is stored."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from imagesharing.accounts.models import ApiToken, User
from imagesharing.errors import DomainError


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print it alone on one line."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="issued with manage.py")
        parser.add_argument("--days", type=int, help="Expire after this many days (default: never).")

    def handle(self, *args, username, name, days, **options):
        user = User.objects.filter(username=username, is_active=True).select_related("account").first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        if user.account is None:
            raise CommandError(f"User {username!r} belongs to no tenant; API tokens act for a tenant.")
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        try:
            _, plain = ApiToken.objects.issue(user, name, timedelta(days=days) if days else None, as_operator=True)
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(plain)
