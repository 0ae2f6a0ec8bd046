"""What "@" offers: the organisation's active people, by Chinese or Latin name, email
address, full pinyin or pinyin initials; one query whatever the organisation's size."""

from __future__ import annotations

from django.urls import reverse

from opsboard.accounts.names import pinyin_key
from tests.conftest import Tenant
from tests.factories import MembershipFactory, UserFactory


def names(client, query: str, slug: str = "acme") -> list[str]:
    response = client.get(reverse("projects:people_suggest", args=[slug]), {"q": query})
    assert response.status_code == 200
    return [person["name"] for person in response.json()["people"]]


def test_pinyin_of_chinese_names() -> None:
    assert pinyin_key("王小明").split()[:2] == ["wangxiaoming", "wxm"]
    assert "zengguofan" in pinyin_key("曾国藩").split()  # the surname's readings, each
    assert pinyin_key("Wang Xiaoming") == ""


def test_suggestions_by_name_address_and_pinyin(tenant: Tenant, other_tenant: Tenant, client):
    for name, email in (
        ("张三", "zhang.san@example.test"),
        ("张珊珊", "shanshan@example.test"),
        ("Zoe Saldana", "zoe@example.test"),
        ("李四", "lisi@example.test"),
    ):
        MembershipFactory(
            organization=tenant.organization, user=UserFactory(full_name=name, email=email)
        )
    MembershipFactory(organization=other_tenant.organization, user=UserFactory(full_name="张三丰"))
    gone = UserFactory(full_name="张飞", is_active=False)
    MembershipFactory(organization=tenant.organization, user=gone)
    client.force_login(tenant.member.user)

    assert names(client, "zs") == ["张三", "张珊珊"]  # initials; never 张三丰 of another org
    assert names(client, "zhangs") == ["张三", "张珊珊"]
    assert names(client, "@张") == ["张三", "张珊珊"]  # the "@" itself is not looked for
    # By pinyin; the tenant's other people have made-up Latin names, which may hold "li".
    assert "李四" in names(client, "li") and "张三" not in names(client, "li")
    assert names(client, "Zoe") == ["Zoe Saldana"]
    assert names(client, "shanshan") == ["张珊珊"]  # the address, and the pinyin
    assert names(client, "zhang.") == ["张三"]
    assert "张飞" not in names(client, "zf")  # an account switched off is not offered
    assert len(names(client, "")) == 8  # the first few, by name
    for awkward in ("%", "_", "'", '"', "\\", "x" * 10_000):
        assert names(client, awkward) == []


def test_suggestions_answer_404_outside_the_organisation(
    tenant: Tenant, other_tenant: Tenant, client
):
    client.force_login(other_tenant.member.user)
    response = client.get(reverse("projects:people_suggest", args=["acme"]), {"q": "a"})
    assert response.status_code == 404


def test_one_query_whatever_the_organisation(tenant: Tenant, client, django_assert_num_queries):
    for n in range(30):
        MembershipFactory(organization=tenant.organization, user=UserFactory(full_name=f"王{n}明"))
    client.force_login(tenant.member.user)
    url = reverse("projects:people_suggest", args=["acme"])
    client.get(url, {"q": "w"})
    # The person with their memberships (the session is in the cache), the suggestions.
    with django_assert_num_queries(2):
        assert len(client.get(url, {"q": "wm"}).json()["people"]) == 8
