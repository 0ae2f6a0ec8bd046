"""The admin keeps Django's own Chinese wording: the app's catalogue does not override it.

The app's catalogue is searched before Django's, so a bare msgid of ours that Django also
uses ("Change", "No", "Action") would replace Django's words all over the admin. Ours carry
a context instead.
"""

from __future__ import annotations

from pathlib import Path

import polib
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from tests.conftest import Tenant
from tests.test_i18n import PO


def test_the_chinese_admin_says_change_yes_no_and_action_as_django_does(
    tenant: Tenant, client
) -> None:
    user = tenant.owner.user
    user.is_staff = user.is_superuser = True
    user.language = "zh-hans"
    user.save()
    client.force_login(user)

    index = client.get(reverse("admin:index")).text
    assert 'class="changelink"' in index
    assert "修改</a>" in index  # each model's Change link
    assert "变化" not in index  # the retrospective's month-over-month column, not the admin's

    users = client.get(reverse("admin:accounts_user_changelist")).text
    assert "否</a>" in users  # the Yes / No filters
    assert "不接收" not in users  # the digest subscription's "No"

    LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(user),
        object_id=str(user.pk),
        object_repr=str(user),
        action_flag=CHANGE,
        change_message="[]",
    )
    history = client.get(reverse("admin:accounts_user_history", args=[user.pk])).text
    assert '<th scope="col">动作</th>' in history
    assert "措施" not in history  # the improvement action


def test_no_bare_string_of_ours_rewords_the_admin() -> None:
    """Every msgid the admin also translates reads in our catalogue as Django's does, or has a context."""
    admin_catalogue = (
        Path(admin.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    )
    django_words = {
        entry.msgid: entry.msgstr for entry in polib.pofile(str(admin_catalogue)) if entry.msgstr
    }
    reworded = {
        entry.msgid: (entry.msgstr, django_words[entry.msgid])
        for entry in polib.pofile(str(PO))
        if entry.msgctxt is None
        and entry.msgid in django_words
        and entry.msgstr != django_words[entry.msgid]
    }
    assert reworded == {}, "give these a context, so the admin keeps Django's words"
