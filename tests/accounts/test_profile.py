from __future__ import annotations

from django.urls import reverse

from tests.conftest import Tenant


def test_profile_saves_name_time_zone_and_language(tenant: Tenant, client) -> None:
    user = tenant.member.user
    client.force_login(user)
    url = reverse("accounts:profile")
    response = client.post(
        url, {"full_name": "Zhang Wei 张伟", "timezone": "Asia/Shanghai", "language": "zh-hans"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.full_name, user.timezone, user.language) == (
        "Zhang Wei 张伟",
        "Asia/Shanghai",
        "zh-hans",
    )
    page = client.get(url)
    assert "个人资料已保存。" in page.text
    assert 'value="Asia/Shanghai" selected' in page.text


def test_profile_refuses_an_unknown_time_zone(tenant: Tenant, client) -> None:
    client.force_login(tenant.member.user)
    response = client.post(
        reverse("accounts:profile"), {"full_name": "X", "timezone": "Mars/Olympus", "language": ""}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    tenant.member.user.refresh_from_db()
    assert tenant.member.user.timezone == ""
