"""Names (R21): each tenant's display name beside its tenant ID for its counterparties only, the
tenant's own name page, and private labels of tenant IDs set from where the IDs are shown."""

import pytest

from imagesharing.accounts.models import Account, TenantLabel
from tests import factories
from tests.panel.conftest import HTMX, messages_of, party, signed_in, text_of


@pytest.fixture
def offered(owner, consumer, other_consumer, shared_image):
    """The consumer accepted an offer; another consumer of the same image has one pending. Each
    tenant has a name no page prints otherwise."""
    for user, name in ((owner, "Zanzibar Images"), (consumer, "Quokka Labs"), (other_consumer, "Wombat Works")):
        user.account.rename(user, name)
    factories.member(owner, shared_image, consumer, "accepted")
    factories.member(owner, shared_image, other_consumer)
    return shared_image


def test_the_consumer_sees_the_producers_name_everywhere_it_sees_its_id(as_consumer, owner, offered):
    producer = party(owner.account)
    for path in ("/shared/", "/images/", f"/images/{offered.pk}/", "/history/"):
        assert producer in text_of(as_consumer.get(path)), path


def test_the_producer_sees_its_members_names(as_owner, consumer, other_consumer, offered):
    for path in (f"/images/{offered.pk}/", "/shared-by-me/", "/history/?about=images"):
        page = text_of(as_owner.get(path))
        assert party(consumer.account) in page and party(other_consumer.account) in page, path


def test_a_private_images_kept_members_are_named_too(as_owner, owner, consumer, offered):
    offered.update(owner, visibility="private")
    assert party(consumer.account) in text_of(as_owner.get(f"/images/{offered.pk}/"))


def test_a_consumer_never_sees_the_other_consumers_name(as_consumer, other_consumer, offered):
    for path in ("/", "/shared/", "/images/", f"/images/{offered.pk}/", "/history/", "/shared-by-me/"):
        page = text_of(as_consumer.get(path))
        assert other_consumer.account.name not in page and str(other_consumer.account.tenant_id) not in page, path


@pytest.mark.parametrize("who", ["as_stranger", "as_abroad"])
def test_nobody_else_sees_any_of_their_names(request, who, owner, consumer, offered):
    client = request.getfixturevalue(who)
    for path in ("/", "/shared/", "/images/", "/history/", "/shared-by-me/", "/labels/", "/account/"):
        page = text_of(client.get(path))
        for account in (owner.account, consumer.account):
            assert account.name not in page and str(account.tenant_id) not in page, path


def test_names_are_escaped(as_consumer, owner, offered):
    owner.account.rename(owner, '<img src=x onerror="alert(1)">')
    page = text_of(as_consumer.get("/shared/"))
    assert "&lt;img src=x" in page and "<img src=x" not in page


# The tenant's own display name.


def test_the_account_page_shows_and_changes_the_display_name(as_owner, owner):
    page = text_of(as_owner.get("/account/"))
    assert 'value="Producer"' in page and "Display name" in page
    response = as_owner.post("/account/", {"name": "  Producer Holdings "})
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert messages_of(response) == ["Your tenant's display name is now “Producer Holdings”."]
    assert Account.objects.get(pk=owner.account_id).name == "Producer Holdings"


@pytest.mark.parametrize("name", ["   ", "x" * 129])
def test_a_bad_display_name_is_a_field_error(as_owner, owner, name):
    response = as_owner.post("/account/", {"name": name})
    assert response.status_code == 200
    assert "A tenant needs a name of 1 to 128 characters." in text_of(response)
    assert Account.objects.get(pk=owner.account_id).name == "Producer"


def test_a_counterparty_sees_the_new_name(as_owner, as_consumer, owner, offered):
    as_owner.post("/account/", {"name": "Renamed Producer"})
    assert "Renamed Producer" in text_of(as_consumer.get("/shared/"))


def test_the_header_links_to_the_account_page(as_owner):
    assert '<a class="tenant-name" href="/account/"' in text_of(as_owner.get("/"))


def test_the_account_page_takes_only_get_and_post(as_owner):
    assert as_owner.put("/account/").status_code == 405


# Private labels.


def test_labels_are_set_from_the_labels_page_and_listed(as_owner, owner):
    response = as_owner.post("/labels/", {"tenant_id": " 123456 ", "text": "Dallas branch"})
    assert response.status_code == 302 and response["Location"] == "/labels/"
    assert TenantLabel.objects.for_tenants(owner.account, [123456]) == {123456: "Dallas branch"}
    page = text_of(as_owner.get("/labels/"))
    assert '<tr id="label-123456">' in page and "Dallas branch" in page


def test_an_unknown_and_an_existing_tenant_id_are_labelled_alike(as_owner, consumer):
    """R17: the answer says nothing of whether the tenant exists."""
    answers = []
    for tenant_id in (consumer.account.tenant_id, 987654321):
        response = as_owner.post("/labels/", {"tenant_id": tenant_id, "text": "someone"})
        answers.append((response.status_code, messages_of(response)[-1].replace(str(tenant_id), "ID")))
    assert answers[0] == answers[1]
    assert consumer.account.name not in text_of(as_owner.get("/labels/"))  # the page never names the tenant


@pytest.mark.parametrize(
    "data, error",
    [
        ({"tenant_id": "12ab", "text": "x"}, "A tenant ID is a positive whole number."),
        ({"tenant_id": "12", "text": "x" * 101}, "A label is at most 100 characters."),
    ],
)
def test_a_bad_label_is_a_field_error(as_owner, data, error):
    response = as_owner.post("/labels/", data)
    assert response.status_code == 200 and error in text_of(response)
    assert not TenantLabel.objects.exists()


def test_a_label_is_changed_and_removed_from_its_own_page(as_owner, owner):
    TenantLabel.objects.set_label(owner, 4242, "old")
    page = text_of(as_owner.get("/labels/4242/", {"next": "/shared/"}))
    assert 'value="old"' in page and '<input type="hidden" name="next" value="/shared/">' in page
    response = as_owner.post("/labels/4242/", {"text": "new", "next": "/shared/"})
    assert response.status_code == 302 and response["Location"] == "/shared/"
    response = as_owner.post("/labels/4242/", {"text": ""})
    assert response["Location"] == "/labels/" and messages_of(response)[-1] == "Label of 4242 removed."
    assert not TenantLabel.objects.exists()


def test_a_label_goes_back_only_inside_the_site(as_owner):
    response = as_owner.post("/labels/4242/", {"text": "x", "next": "https://elsewhere.example/"})
    assert response["Location"] == "/labels/"


def test_labels_show_beside_the_name_and_only_to_their_owner(as_owner, as_consumer, owner, consumer, offered):
    TenantLabel.objects.set_label(owner, consumer.account.tenant_id, "Dallas branch")
    TenantLabel.objects.set_label(consumer, owner.account.tenant_id, "Our supplier")
    owner_page = text_of(as_owner.get(f"/images/{offered.pk}/"))
    consumer_page = text_of(as_consumer.get("/shared/"))
    assert '<span class="label-text" title="Your private label">Dallas branch</span>' in owner_page
    assert "Our supplier" not in owner_page
    assert '<span class="label-text" title="Your private label">Our supplier</span>' in consumer_page
    assert "Dallas branch" not in consumer_page
    for path in ("/images/", f"/images/{offered.pk}/", "/history/"):
        assert "Our supplier" in text_of(as_consumer.get(path)), path
    assert "Dallas branch" in text_of(as_owner.get("/shared-by-me/"))


def test_the_members_table_and_the_inbox_link_to_the_label_form(as_owner, as_consumer, owner, consumer, offered):
    owner_page = text_of(as_owner.get(f"/images/{offered.pk}/"))
    assert f'href="/labels/{consumer.account.tenant_id}/?next=/images/{offered.pk}/%23sharing"' in owner_page
    assert f'href="/labels/{owner.account.tenant_id}/?next=/shared/"' in text_of(as_consumer.get("/shared/"))


def test_with_htmx_the_label_form_takes_the_labels_place(as_consumer, owner):
    page = text_of(as_consumer.get(f"/labels/{owner.account.tenant_id}/", {"next": "/shared/"}, headers=HTMX))
    assert page.lstrip().startswith(f'<span class="tenant-label tenant-label-{owner.account.tenant_id} label-editing"')
    assert f'id="label-{owner.account.tenant_id}-text"' in page and "<html" not in page


def test_with_htmx_a_saved_label_is_swapped_everywhere_the_page_shows_it(as_consumer, consumer, owner):
    tenant_id = owner.account.tenant_id
    response = as_consumer.post(f"/labels/{tenant_id}/", {"text": "Supplier", "next": "/shared/"}, headers=HTMX)
    page = text_of(response)
    assert response["HX-Reswap"] == "none"
    assert f'hx-swap-oob="outerHTML:.tenant-label-{tenant_id}"' in page and "Supplier" in page
    assert "change label" in page and "next=/shared/" in page
    assert TenantLabel.objects.for_tenants(consumer.account, [tenant_id]) == {tenant_id: "Supplier"}


def test_with_htmx_a_bad_label_shows_the_form_again(as_consumer, owner):
    tenant_id = owner.account.tenant_id
    response = as_consumer.post(f"/labels/{tenant_id}/", {"text": "z" * 101, "next": "/shared/"}, headers=HTMX)
    page = text_of(response)
    assert "HX-Reswap" not in response and "A label is at most 100 characters." in page
    assert not TenantLabel.objects.exists()


def test_a_malformed_tenant_id_in_the_address_labels_nothing(as_owner):
    response = as_owner.post("/labels/99999999999999999999999/", {"text": "x"})
    assert response.status_code == 302 and messages_of(response) == ["A tenant ID is a positive whole number."]
    assert not TenantLabel.objects.exists()


def test_another_tenants_labels_are_never_listed_or_changed(as_stranger, owner, consumer):
    TenantLabel.objects.set_label(owner, consumer.account.tenant_id, "Dallas branch")
    assert "Dallas branch" not in text_of(as_stranger.get("/labels/"))
    page = text_of(as_stranger.get(f"/labels/{consumer.account.tenant_id}/"))
    assert "Dallas branch" not in page
    as_stranger.post(f"/labels/{consumer.account.tenant_id}/", {"text": ""})
    assert TenantLabel.objects.for_tenants(owner.account, [consumer.account.tenant_id])  # the owner's stays


@pytest.mark.parametrize("path", ["/labels/", "/labels/4242/"])
def test_label_pages_take_only_get_and_post(as_owner, path):
    assert as_owner.put(path).status_code == 405


def test_the_labels_page_reads_a_fixed_number_of_queries(owner, django_assert_max_num_queries):
    for number in range(50):
        TenantLabel.objects.set_label(owner, 5000 + number, f"label {number}")
    client = signed_in(owner)
    with django_assert_max_num_queries(5):
        assert client.get("/labels/").status_code == 200
