"""Create a tenant, enabled in some regions, and optionally a login for it."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from imagesharing.accounts.models import Account, User
from imagesharing.choices import Role
from imagesharing.errors import DomainError


class Command(BaseCommand):
    help = (
        "Create a tenant: create_tenant TENANT_ID --name NAME --region DFW [--region ORD]"
        " [--user U --password P [--email ADDRESS]]"
    )

    def add_arguments(self, parser):
        parser.add_argument("tenant_id")
        parser.add_argument("--name", required=True)
        parser.add_argument("--region", action="append", required=True, dest="regions", metavar="CODE")
        parser.add_argument("--user", dest="username")
        parser.add_argument("--password")
        parser.add_argument("--email", default="", help="the login's e-mail address, for its notices (R18)")

    def handle(self, *args, tenant_id, name, regions, username, password, email, **options):
        if bool(username) != bool(password):
            raise CommandError("--user and --password go together.")
        if email and not username:
            raise CommandError("--email is the address of the login: give --user and --password too.")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise CommandError(f"{email!r} is not an e-mail address.") from None
        if username and User.objects.filter(username=username).exists():
            raise CommandError(f"The username {username!r} is taken.")
        if password:
            try:
                validate_password(password)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
        try:
            with transaction.atomic():
                account = Account.objects.create_tenant(tenant_id, name, regions)
                if username:
                    User.objects.create_user(username, email=email, password=password, account=account, role=Role.ADMIN)
        except DomainError as error:
            raise CommandError(error.message) from None
        codes = ", ".join(region.code for region in account.regions.all())
        self.stdout.write(f"Created tenant {account.tenant_id} ({account.name}) in {codes}.")
        if username:
            self.stdout.write(f"Created user {username}" + (f" <{email}>." if email else "."))
