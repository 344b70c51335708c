"""R21: a tenant's display name is shown only where R17 lets its tenant ID be shown; its private
labels of other tenant IDs are seen only by itself."""

import pytest

from imagesharing.accounts.models import LABEL_MAX_LENGTH, LABELS_PER_TENANT, Account, TenantLabel
from imagesharing.errors import InvalidValue, NotPermitted, QuotaExceeded
from tests.rules.checks import refused


def test_r21_a_tenant_renames_itself(owner):
    owner.account.rename(owner, "  Producer Holdings  ")
    assert Account.objects.get(pk=owner.account_id).name == "Producer Holdings"


@pytest.mark.parametrize("name", ["", "   ", "x" * 129, None])
def test_r21_a_display_name_is_1_to_128_characters(owner, name):
    with refused(InvalidValue, match="1 to 128 characters"):
        owner.account.rename(owner, name)


def test_r21_nobody_renames_another_tenant(owner, consumer):
    with refused(NotPermitted):
        owner.account.rename(consumer, "Taken over")


def test_r21_a_label_is_written_changed_and_cleared(owner, consumer):
    labels = TenantLabel.objects
    tenant_id = consumer.account.tenant_id
    assert labels.set_label(owner, str(tenant_id), "  Dallas branch ") == "Dallas branch"
    assert labels.for_tenants(owner.account, [tenant_id]) == {tenant_id: "Dallas branch"}
    assert labels.set_label(owner, tenant_id, "Dallas office") == "Dallas office"
    assert labels.of(owner.account).count() == 1
    assert labels.set_label(owner, tenant_id, " ") == ""
    assert not labels.exists()


def test_r21_labels_are_their_owners_alone(owner, consumer, stranger):
    tenant_id = stranger.account.tenant_id
    TenantLabel.objects.set_label(owner, tenant_id, "Mine")
    TenantLabel.objects.set_label(consumer, tenant_id, "Theirs")
    assert TenantLabel.objects.for_tenants(owner.account, [tenant_id]) == {tenant_id: "Mine"}
    assert TenantLabel.objects.for_tenants(consumer.account, [tenant_id]) == {tenant_id: "Theirs"}
    assert TenantLabel.objects.for_tenants(stranger.account, [tenant_id]) == {}


def test_r21_r17_labelling_tells_nothing_of_whether_a_tenant_exists(owner, consumer, abroad):
    """An existing tenant, one in another region and one that does not exist are labelled alike."""
    answers = [
        TenantLabel.objects.set_label(owner, tenant_id, "someone")
        for tenant_id in (consumer.account.tenant_id, abroad.account.tenant_id, 987654321)
    ]
    assert answers == ["someone"] * 3
    assert TenantLabel.objects.of(owner.account).count() == 3


@pytest.mark.parametrize("tenant_id", ["12a", "-3", "0", "9" * 30, None])
def test_r21_a_malformed_tenant_id_cannot_be_labelled(owner, tenant_id):
    with refused(InvalidValue, match="positive whole number"):
        TenantLabel.objects.set_label(owner, tenant_id, "label")


@pytest.mark.parametrize("text", ["x" * (LABEL_MAX_LENGTH + 1), "nul\x00"])
def test_r21_a_label_is_at_most_100_characters_of_text(owner, consumer, text):
    with refused(InvalidValue, match="at most 100 characters"):
        TenantLabel.objects.set_label(owner, consumer.account.tenant_id, text)


def test_r21_a_tenant_keeps_at_most_so_many_labels(owner, monkeypatch):
    monkeypatch.setattr("imagesharing.accounts.models.LABELS_PER_TENANT", 2)
    TenantLabel.objects.set_label(owner, 11, "a")
    TenantLabel.objects.set_label(owner, 12, "b")
    TenantLabel.objects.set_label(owner, 12, "b, changed")  # a change is no new label
    with refused(QuotaExceeded):
        TenantLabel.objects.set_label(owner, 13, "c")
    assert LABELS_PER_TENANT == 1000


def test_r21_no_labels_asked_no_query(owner, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert TenantLabel.objects.for_tenants(owner.account, []) == {}
