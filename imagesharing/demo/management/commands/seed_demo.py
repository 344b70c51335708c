"""Demo data for `make run`: regions, an operator tenant with public base images, three
customer tenants with logins, images shared with each member status, a server booted
from a shared image and a snapshot of it, and consumers' servers whose usage the
producer sees (R26).

Idempotent: a second run finds what the first created and adds nothing. Everything
goes through the model methods, so the demo history is real history.
"""

import hashlib

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from imagesharing.accounts.models import Account, ProducerRule, Region, TenantLabel, User
from imagesharing.choices import MemberStatus, Role, Visibility
from imagesharing.images.models import Image
from imagesharing.memberships.lists import TenantList
from imagesharing.servers.models import Server

REGIONS = {
    "DFW": "Dallas-Fort Worth",
    "ORD": "Chicago",
    "IAD": "Northern Virginia",
    "HKG": "Hong Kong",
    "SYD": "Sydney",
    "LON": "London",
}
US_REGIONS = ["DFW", "ORD", "IAD", "HKG", "SYD"]

OPERATOR_TENANT = (100000, "Cloud operator", US_REGIONS + ["LON"])
# (tenant ID, name, regions, username, password)
CUSTOMERS = [
    (631001, "Acme Web Studio", ["DFW", "ORD"], "acme", "acme-demo-pass"),
    (631002, "Globex Analytics", ["DFW", "ORD"], "globex", "globex-demo-pass"),
    (631003, "Umbrella Labs", ["DFW", "IAD"], "umbrella", "umbrella-demo-pass"),
    (1100001, "Initech UK", ["LON"], "initech", "initech-demo-pass"),
]
OPERATOR_LOGIN = ("operator", "operator-demo-pass")

PUBLIC_IMAGES = ["Ubuntu 24.04 LTS", "Debian 12 (Bookworm)", "Windows Server 2022"]
MIB = 1024**2
# Demo images carry real (generated) data, small enough to seed in a second.
# (owner, region, name, size in MiB, {consumer username: status})
SHARED_IMAGES = [
    ("acme", "DFW", "acme-web-golden", 4, {"globex": "pending", "umbrella": "accepted"}),
    ("acme", "DFW", "acme-worker", 3, {"globex": "rejected"}),
    ("acme", "ORD", "acme-db-primary", 8, {"globex": "accepted"}),
    ("globex", "DFW", "globex-etl", 2, {"acme": "accepted", "umbrella": "pending"}),
]
# R19: the producer's note that comes with each demo offer.
DEMO_NOTE = "Built and patched by {producer}. Questions about this image: write to the producer's support desk."
PRIVATE_IMAGES = [("initech", "LON", "initech-tps-reports", 5), ("umbrella", "IAD", "umbrella-lab", 6)]
# R26: consumers' servers from a shared image, so that its owner (acme) sees their usage per member.
# (consumer username, image name, server names); a pending member boots by ID too (R6).
CONSUMER_SERVERS = [
    ("umbrella", "acme-web-golden", ["umbrella-web-1", "umbrella-web-2"]),
    ("globex", "acme-web-golden", ["globex-trial-1"]),
]
# R25: (owner, region, deprecated image, its replacement, size in MiB, the consumer it is offered to, pending).
DEPRECATED = ("acme", "DFW", "acme-worker", "acme-worker-2026", 3, "globex")


class Command(BaseCommand):
    help = "Create the demo tenants, logins, images, shares and servers (safe to run again)."

    def handle(self, *args, **options):
        with transaction.atomic():
            created = self.seed()
        self.stdout.write("Demo logins (username / password / tenant ID):")
        for username, password, tenant in created:
            self.stdout.write(f"  {username:<10} {password:<20} {tenant}")

    def seed(self) -> list[tuple[str, str, str]]:
        for code, name in REGIONS.items():
            Region.objects.update_or_create(code=code, defaults={"name": name})

        operator_tenant = self.tenant(*OPERATOR_TENANT)
        username, password = OPERATOR_LOGIN
        operator = self.login(username, password, operator_tenant, staff=True)
        logins = [(username, password, f"{operator_tenant.tenant_id} (operator, /admin/)")]

        users = {}
        for tenant_id, name, regions, username, password in CUSTOMERS:
            users[username] = self.login(username, password, self.tenant(tenant_id, name, regions))
            logins.append((username, password, f"{tenant_id} {name} ({', '.join(regions)})"))

        for code in ["DFW", "ORD", "LON"]:
            region = Region.objects.get(code=code)
            for name in PUBLIC_IMAGES:
                image = self.image(operator, region, name, 2)
                image.update(operator, visibility=Visibility.PUBLIC, as_operator=True)

        for owner, code, name, size, members in SHARED_IMAGES:
            image = self.image(users[owner], Region.objects.get(code=code), name, size)
            self.share(users[owner], image, {users[u]: status for u, status in members.items()})
        for owner, code, name, size in PRIVATE_IMAGES:
            self.image(users[owner], Region.objects.get(code=code), name, size)

        self.deprecate(users, *DEPRECATED)
        self.server_and_snapshot(users["globex"], "acme-db-primary", "globex-db-1")
        for username, image_name, server_names in CONSUMER_SERVERS:
            self.servers(users[username], image_name, server_names)
        TenantLabel.objects.set_label(users["globex"], tenant_of(users["acme"]).tenant_id, "Web agency")
        self.tenant_list(users["acme"], "Partners", [users["globex"], users["umbrella"]])
        # R24, after the shares above, which keep their answers: Acme's next offers to Umbrella are accepted.
        ProducerRule.objects.set_answer(users["umbrella"], tenant_of(users["acme"]).tenant_id, MemberStatus.ACCEPTED)
        return logins

    def tenant_list(self, owner: User, name: str, tenants: list[User]) -> None:
        """R23: a list of the owner's, made once, with these tenants."""
        found = TenantList.objects.filter(owner=tenant_of(owner), name=name).first()
        found = found or TenantList.objects.create_list(owner, name)
        found.set_tenants(owner, [tenant_of(user).tenant_id for user in tenants])

    def tenant(self, tenant_id: int, name: str, regions: list[str]) -> Account:
        account = Account.objects.filter(tenant_id=tenant_id).first()
        return account or Account.objects.create_tenant(tenant_id, name, regions)

    def login(self, username: str, password: str, account: Account, staff: bool = False) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            # An address, so that the demo's notices come by e-mail too (to var/mail/ under `make run`).
            user = User.objects.create_user(
                username,
                email=f"{username}@example.com",
                password=password,
                account=account,
                role=Role.ADMIN,  # R27: each demo tenant's first person runs it
                is_staff=staff,
                is_superuser=staff,
            )
        return user

    def image(self, owner: User, region: Region, name: str, size_mib: int) -> Image:
        image = Image.objects.live().filter(owner=owner.account, region=region, name=name).first()
        if image is None:
            image = Image.objects.create_image(
                owner, region, name=name, disk_format="qcow2", container_format="bare", min_disk=20
            )
            image.receive_data(owner, demo_data(name, size_mib))
        return image

    def share(self, owner: User, image: Image, statuses: dict[User, str]) -> None:
        existing = set(image.members.values_list("member_id", flat=True))
        new = [consumer for consumer in statuses if consumer.account_id not in existing]
        if new:
            ids = [tenant_of(consumer).tenant_id for consumer in new]
            image.share_with(owner, ids, acknowledged=True, note=DEMO_NOTE.format(producer=tenant_of(owner).name))
        for consumer in new:
            member = image.members.get(member=consumer.account)
            member.set_status(consumer, statuses[consumer])

    def servers(self, user: User, image_name: str, server_names: list[str]) -> None:
        """Boot those of `server_names` the tenant does not have yet, from the image it may use."""
        have = set(Server.objects.owned_by(tenant_of(user)).values_list("name", flat=True))
        image = Image.objects.usable_by(tenant_of(user)).get(name=image_name)
        for name in server_names:
            if name not in have:
                Server.objects.boot(user, image, name)

    def deprecate(
        self, users: dict[str, User], owner: str, code: str, name: str, replacement: str, size: int, consumer: str
    ) -> None:
        """R25: a deprecated image with its replacement, which its member has been offered and not answered."""
        region = Region.objects.get(code=code)
        old = Image.objects.live().get(owner=tenant_of(users[owner]), region=region, name=name)
        new = self.image(users[owner], region, replacement, size)
        if not old.is_deprecated:
            old.deprecate(users[owner], replacement=new.pk)
        self.share(users[owner], new, {users[consumer]: "pending"})

    def server_and_snapshot(self, user: User, image_name: str, server_name: str) -> None:
        if Server.objects.owned_by(tenant_of(user)).filter(name=server_name).exists():
            return
        image = Image.objects.usable_by(tenant_of(user)).get(name=image_name)
        server = Server.objects.boot(user, image, server_name)
        server.snapshot(user, f"{server_name}-snapshot")


def tenant_of(user: User) -> Account:
    """The tenant a demo login acts for (`Command.login` creates each with one)."""
    if user.account is None:
        raise CommandError(f"The login {user.username!r} acts for no tenant.")
    return user.account


def demo_data(name: str, size_mib: int):
    """Deterministic filler bytes for a demo image, one MiB at a time."""
    block = hashlib.sha512(name.encode()).digest() * (MIB // 64)
    for _ in range(size_mib):
        yield block
