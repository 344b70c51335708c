"""R24's page: a consumer lists producer tenant IDs whose offers are accepted or rejected automatically.
Any well-formed tenant ID is listed without a lookup (R17); readers see the lists and change nothing (R27)."""

import pytest

from imagesharing.accounts.models import ProducerRule, TenantLabel
from imagesharing.choices import MemberStatus
from tests.panel.conftest import messages_of, signed_in, text_of
from tests.rules.checks import snapshot

PAGE = "/trusted-producers/"


def test_the_page_lists_trusted_and_blocked_producers_with_the_consumers_labels(as_consumer, consumer, owner):
    ProducerRule.objects.set_answer(consumer, owner.account.tenant_id, MemberStatus.ACCEPTED)
    ProducerRule.objects.set_answer(consumer, 4242, MemberStatus.REJECTED)
    TenantLabel.objects.set_label(consumer, 4242, "Old vendor")
    owner.account.rename(owner, "Zanzibar Images")
    page = text_of(as_consumer.get(PAGE))
    trusted, blocked = page.split('id="trusted"')[1].split('id="blocked"')
    assert f"<code>{owner.account.tenant_id}</code>" in trusted and "4242" not in trusted
    assert "<code>4242</code>" in blocked and "Old vendor" in blocked
    assert owner.account.name not in page  # R17, R21: a listed ID is never named by its tenant's display name


def test_an_empty_page_says_offers_wait(as_consumer):
    page = text_of(as_consumer.get(PAGE))
    assert "No trusted producers: offers wait for your answer." in page and "No blocked producers." in page


@pytest.mark.parametrize(
    "answer, said",
    [("accepted", "will be accepted automatically"), ("rejected", "will be rejected automatically")],
)
def test_a_producer_is_listed(as_consumer, consumer, owner, answer, said):
    response = as_consumer.post(PAGE, {"tenant_id": f" {owner.account.tenant_id} ", "answer": answer})
    assert response.status_code == 302 and response["Location"] == PAGE
    assert messages_of(response) == [f"Offers from tenant {owner.account.tenant_id} {said}."]
    assert list(ProducerRule.objects.values_list("consumer", "tenant_id", "answer")) == [
        (consumer.account_id, owner.account.tenant_id, answer)
    ]


def test_r17_an_unknown_tenant_id_is_listed_as_any_other(as_consumer, owner):
    answers = [
        messages_of(as_consumer.post(PAGE, {"tenant_id": number, "answer": "accepted"}))[-1].replace(number, "N")
        for number in (str(owner.account.tenant_id), "987654321")
    ]
    assert answers[0] == answers[1]
    assert ProducerRule.objects.count() == 2


@pytest.mark.parametrize("data", [{"tenant_id": "12a", "answer": "accepted"}, {"tenant_id": "5", "answer": "maybe"}])
def test_bad_input_is_a_field_error_and_changes_nothing(as_consumer, data):
    response = as_consumer.post(PAGE, data)
    assert response.status_code == 200
    assert "field-error" in text_of(response)
    assert not ProducerRule.objects.exists()


def test_a_producer_comes_off_the_list(as_consumer, consumer, owner):
    number = owner.account.tenant_id
    ProducerRule.objects.set_answer(consumer, number, MemberStatus.ACCEPTED)
    response = as_consumer.post(f"{PAGE}{number}/remove/")
    assert response.status_code == 302 and response["Location"] == PAGE
    assert messages_of(response) == [f"Offers from tenant {number} will wait for your answer again."]
    assert not ProducerRule.objects.exists()
    assert as_consumer.get(f"{PAGE}{number}/remove/").status_code == 405


def test_another_tenant_neither_sees_nor_changes_the_lists(as_stranger, consumer, owner):
    number = owner.account.tenant_id
    ProducerRule.objects.set_answer(consumer, number, MemberStatus.ACCEPTED)
    assert str(number) not in text_of(as_stranger.get(PAGE))
    before = snapshot()
    as_stranger.post(f"{PAGE}{number}/remove/")
    assert snapshot() == before


def test_r27_a_reader_sees_the_lists_without_their_forms(people, owner):
    number = owner.account.tenant_id
    ProducerRule.objects.set_answer(people["consumer member"], number, MemberStatus.ACCEPTED)
    page = text_of(signed_in(people["consumer reader"]).get(PAGE))
    assert f"<code>{number}</code>" in page
    assert "Save to list" not in page and "Take off the list" not in page


def test_the_page_is_linked_from_the_tenant_page_and_the_inbox(as_consumer):
    for path in ("/account/", "/shared/"):
        assert f'href="{PAGE}"' in text_of(as_consumer.get(path)), path


def test_an_offer_from_a_trusted_producer_shows_accepted_in_the_inbox(as_consumer, consumer, owner, shared_image):
    ProducerRule.objects.set_answer(consumer, owner.account.tenant_id, MemberStatus.ACCEPTED)
    shared_image.add_member(owner, consumer.account.tenant_id)
    page = text_of(as_consumer.get("/shared/?status=accepted"))
    assert "shared-base" in page
    notices = text_of(as_consumer.get("/notices/"))
    assert "accepted automatically" in notices
    history = text_of(as_consumer.get("/history/"))
    assert "automatic: a trusted producer" in history and "automatically" in history


def test_an_operator_without_a_tenant_lists_nothing(as_operator):
    response = as_operator.post(PAGE, {"tenant_id": "4242", "answer": "accepted"})
    assert response.status_code == 403
    assert not ProducerRule.objects.exists()
