"""The management commands are an interface scripts rely on: output, exit codes, database state."""

import pytest
from django.core.management import CommandError, call_command

from imagesharing.accounts.models import Account, ApiToken, Region, User
from imagesharing.choices import MemberStatus, Visibility
from imagesharing.images.models import Image
from imagesharing.memberships.history import Event
from imagesharing.memberships.members import ImageMember
from imagesharing.servers.models import Server
from tests import factories


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def table_counts() -> dict[str, int]:
    models = [Region, Account, User, Image, ImageMember, Event, Server, ApiToken]
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
class TestSeedDemo:
    def test_it_builds_the_demo_and_prints_the_logins(self):
        output = run("seed_demo")

        assert set(Region.objects.values_list("code", flat=True)) == {"DFW", "ORD", "IAD", "HKG", "SYD", "LON"}
        for username in ["operator", "acme", "globex", "umbrella", "initech"]:
            assert username in output
            assert User.objects.get(username=username).check_password(f"{username}-demo-pass")
        assert User.objects.get(username="operator").is_superuser
        uk = Account.objects.get(users__username="initech")
        assert list(uk.regions.values_list("code", flat=True)) == ["LON"]
        assert Image.objects.filter(visibility=Visibility.PUBLIC).exists()
        assert set(ImageMember.objects.values_list("status", flat=True)) == set(MemberStatus.values)
        assert Image.objects.exclude(region__code="DFW").filter(members__isnull=False).exists()
        server = Server.objects.get(name="globex-db-1")
        assert server.image.visibility == Visibility.SHARED
        snapshot = Image.objects.get(base_image_id=server.image_id)
        assert snapshot.owner == server.owner != server.image.owner  # R13
        golden = Image.objects.get(name="acme-web-golden")
        usage = Server.objects.usage_by_member(User.objects.get(username="acme"), golden)  # R26
        running = {member.member.name: usage.of(member).running for member in golden.members.all()}
        assert running == {"Globex Analytics": 1, "Umbrella Labs": 2}

    def test_it_is_idempotent(self):
        run("seed_demo")
        before = table_counts()

        output = run("seed_demo")

        assert table_counts() == before
        assert "acme" in output


@pytest.mark.django_db
class TestCreateTenant:
    def test_it_creates_a_tenant_with_regions_and_a_user(self, dfw):
        factories.region("ORD")

        output = run(
            "create_tenant",
            "424242",
            "--name",
            "Hooli",
            "--region",
            "DFW",
            "--region",
            "ord",
            "--user",
            "gavin",
            "--password",
            "a-long-passphrase-9",
        )

        account = Account.objects.get(tenant_id=424242)
        assert account.name == "Hooli"
        assert sorted(account.regions.values_list("code", flat=True)) == ["DFW", "ORD"]
        assert User.objects.get(username="gavin").account == account
        assert "424242" in output

    def test_it_gives_the_login_an_e_mail_address_for_its_notices(self, dfw):
        output = run(
            "create_tenant", "424243", "--name", "Pied Piper", "--region", "DFW",
            "--user", "richard", "--password", "a-long-passphrase-9", "--email", "richard@piedpiper.example",
        )  # fmt: skip
        assert User.objects.get(username="richard").email == "richard@piedpiper.example"
        assert "<richard@piedpiper.example>" in output

    @pytest.mark.parametrize(
        "args, message",
        [
            (["12x", "--name", "Bad", "--region", "DFW"], "positive whole number"),
            (["0", "--name", "Bad", "--region", "DFW"], "positive whole number"),
            (["555", "--name", "Bad", "--region", "XXX"], "Unknown region: XXX"),
            (["555", "--name", "Bad", "--region", "DFW", "--user", "x"], "go together"),
            (["555", "--name", "Bad", "--region", "DFW", "--user", "x", "--password", "123"], "too short"),
            (["555", "--name", "Bad", "--region", "DFW", "--email", "x@example.com"], "give --user"),
            (
                [
                    "555",
                    "--name",
                    "Bad",
                    "--region",
                    "DFW",
                    "--user",
                    "x",
                    "--password",
                    "a-long-pass-9",
                    "--email",
                    "x",
                ],
                "not an e-mail address",
            ),
        ],
    )
    def test_it_refuses_bad_input_and_changes_nothing(self, dfw, args, message):
        before = table_counts()

        with pytest.raises(CommandError, match=message):
            call_command("create_tenant", *args)

        assert table_counts() == before

    def test_it_refuses_a_duplicate_tenant_id(self, owner):
        before = table_counts()

        with pytest.raises(CommandError, match="already exists"):
            call_command("create_tenant", str(owner.account.tenant_id), "--name", "Again", "--region", "DFW")

        assert table_counts() == before

    def test_it_refuses_a_taken_username(self, owner):
        with pytest.raises(CommandError, match="taken"):
            call_command(
                "create_tenant",
                "555",
                "--name",
                "X",
                "--region",
                "DFW",
                "--user",
                "owner",
                "--password",
                "a-long-passphrase-9",
            )
        assert not Account.objects.filter(tenant_id=555).exists()


@pytest.mark.django_db
class TestIssueToken:
    def test_it_prints_only_the_token_and_stores_only_its_hash(self, owner):
        output = run("issue_token", "owner")

        token = output.strip()
        assert output == token + "\n" and " " not in token and len(token) >= 40
        stored = ApiToken.objects.get(user=owner)
        assert token not in (stored.digest, stored.prefix) and stored.prefix == token[:8]
        assert ApiToken.objects.authenticate(token) == (owner, None)

    def test_it_can_expire(self, owner):
        token = run("issue_token", "owner", "--days", "3").strip()

        assert ApiToken.objects.get(user=owner).expires_at is not None
        assert ApiToken.objects.authenticate(token) == (owner, None)

    def test_it_refuses_unknown_and_tenantless_users(self, operator):
        with pytest.raises(CommandError, match="No active user"):
            call_command("issue_token", "nobody")
        with pytest.raises(CommandError, match="no tenant"):
            call_command("issue_token", operator.username)
        assert not ApiToken.objects.exists()
