"""@mentions: stored as @[Name](user:ID), shown as a link to the person, told once
(through the ledger, whatever later edits do), and only for active members of the
card's organisation."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from kanban.mentions import mention_text
from kanban.models import Mention
from kanban.services import CardInput, card_update, comment_add, comment_update
from opsboard.notify.models import Channel, Notification, Preference
from tests.conftest import Tenant
from tests.factories import MembershipFactory, UserFactory
from tests.kanban.conftest import BoardSetup


def mentioned() -> list[tuple[int, str]]:
    return sorted(
        Notification.objects.filter(kind="mention").values_list("recipient_id", "subject_key")
    )


@pytest.fixture
def card(tenant: Tenant, kanban: BoardSetup):
    return kanban.add(tenant, "Churn analysis")


def test_a_mention_in_a_comment_tells_the_person_once_and_links_to_the_comment(
    tenant: Tenant, card, django_capture_on_commit_callbacks
):
    member = tenant.member.user
    body = f"Can you check the numbers, {mention_text(member.pk, member.full_name)}?"
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_add(actor=tenant.lead, card=card, body=body)
    assert mentioned() == [(member.pk, f"mention:comment:{comment.pk}")]
    assert list(Mention.objects.values_list("user_id", "comment_id")) == [(member.pk, comment.pk)]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member.email]
    assert "mentioned you in a comment on “Churn analysis”" in message.subject
    assert f"#comment-{comment.pk}" in message.body
    assert f"@{member.full_name}" in message.body and "(user:" not in message.body
    assert f"#comment-{comment.pk}" in message.alternatives[0][0]

    # Editing it, even twice, tells no one again; a newcomer to the text is told.
    owner = tenant.owner.user
    with django_capture_on_commit_callbacks(execute=True):
        comment_update(actor=tenant.lead, comment=comment, body=body + " Thanks!")
        comment_update(
            actor=tenant.lead,
            comment=comment,
            body=body + " " + mention_text(owner.pk, owner.full_name),
        )
    assert mentioned() == sorted(
        [(member.pk, f"mention:comment:{comment.pk}"), (owner.pk, f"mention:comment:{comment.pk}")]
    )
    # Taken out and put back: still once.
    with django_capture_on_commit_callbacks(execute=True):
        comment_update(actor=tenant.lead, comment=comment, body="Nobody now")
        comment_update(actor=tenant.lead, comment=comment, body=body)
    assert len(mentioned()) == 2
    assert len(mail.outbox) == 2


def test_a_mentioned_follower_hears_once_as_a_mention(
    tenant: Tenant, kanban: BoardSetup, django_capture_on_commit_callbacks
):
    card = kanban.add(tenant, "Churn analysis", assignee=tenant.member.user)
    member = tenant.member.user
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(
            actor=tenant.lead, card=card, body=mention_text(member.pk, member.full_name) + " ok?"
        )
    assert Notification.objects.filter(recipient=member).values_list("kind", flat=True).get() == (
        "mention"
    )


def test_mentioning_oneself_tells_no_one(tenant: Tenant, card, django_capture_on_commit_callbacks):
    lead = tenant.lead.user
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(actor=tenant.lead, card=card, body=mention_text(lead.pk, "me") + " to do")
    assert mentioned() == []


def test_an_outsider_or_a_removed_member_is_plain_text_and_told_nothing(
    tenant: Tenant, other_tenant: Tenant, card, django_capture_on_commit_callbacks
):
    outsider = other_tenant.member.user
    leaver = tenant.viewer.user
    tenant.viewer.delete()
    gone = UserFactory(is_active=False)
    MembershipFactory(organization=tenant.organization, user=gone)
    body = " ".join(
        mention_text(person.pk, name)
        for person, name in ((outsider, "Outsider"), (leaver, "Leaver"), (gone, "Gone"))
    )
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_add(
            actor=tenant.lead, card=card, body=body + " 999 " + "@[X](user:99999)"
        )
    assert mentioned() == [] and mail.outbox == []
    assert not Mention.objects.exists()
    comment.refresh_from_db()
    assert comment.body == "@Outsider @Leaver @Gone 999 @X"


def test_a_mention_in_the_description_tells_once_and_links_to_the_person(
    tenant: Tenant, card, client, django_capture_on_commit_callbacks
):
    member = tenant.member.user
    description = f"Owner of the data: {mention_text(member.pk, 'Old name')}"
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            card_update(
                actor=tenant.lead,
                card=card,
                data=CardInput(title=card.title, description=description),
            )
    assert mentioned() == [(member.pk, f"mention:card:{card.pk}")]

    client.force_login(tenant.viewer.user)
    page = client.get(reverse("kanban:card_detail", args=["acme", card.pk])).text
    link = reverse("projects:member_detail", args=["acme", tenant.member.pk])
    # The person's name as it is now, not as it was typed.
    assert f'<a class="mention" href="{link}">@{member.full_name}</a>' in page
    assert "(user:" not in page


def test_the_card_page_shows_a_removed_members_mention_as_text(
    tenant: Tenant, card, client, django_capture_on_commit_callbacks
):
    member = tenant.member.user
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(
            actor=tenant.lead, card=card, body=mention_text(member.pk, "Cheryl") + " <b>hi</b>"
        )
    tenant.member.delete()
    client.force_login(tenant.lead.user)
    page = client.get(reverse("kanban:card_detail", args=["acme", card.pk])).text
    assert "@Cheryl" in page and 'class="mention"' not in page
    assert "<b>hi</b>" not in page  # still sanitised


def test_only_the_author_edits_a_comment(
    tenant: Tenant, other_tenant: Tenant, card, client, django_capture_on_commit_callbacks
):
    comment = comment_add(actor=tenant.lead, card=card, body="First")
    url = reverse("kanban:comment_edit", args=["acme", comment.pk])
    client.force_login(tenant.owner.user)
    assert client.get(url).status_code == 403
    assert client.post(url, {"body": "Taken"}).status_code == 403
    client.force_login(other_tenant.owner.user)
    assert client.get(reverse("kanban:comment_edit", args=["rival", comment.pk])).status_code == 404
    client.force_login(tenant.lead.user)
    assert client.post(url, {"body": " "}).status_code == 200  # the form again, with the error
    response = client.post(url, {"body": "Second"})
    assert response.status_code == 302 and response["Location"].endswith(f"#comment-{comment.pk}")
    comment.refresh_from_db()
    assert comment.body == "Second" and comment.edited_at is not None


def test_email_off_means_the_app_only(tenant: Tenant, card, django_capture_on_commit_callbacks):
    member = tenant.member.user
    Preference.objects.create(user=member, email=False)
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(actor=tenant.lead, card=card, body=mention_text(member.pk, "x"))
    assert Notification.objects.get(kind="mention").channel == Channel.IN_APP
    assert mail.outbox == []
