"""intake's part of My work (``projects.my_work``): the requests the person sent that are
still open or waiting on them, and those the team has finished that wait for the
person's confirmation."""

from __future__ import annotations

from django.utils.translation import gettext as _

from projects.my_work import Ask, Item, Part, cut

from .models import Request, RequestState


def _item(sent: Request, ask: Ask, why: str, tone: str = "") -> Item:
    return Item(
        kind="request",
        id=sent.pk,
        title=sent.card.title,
        url=ask.url("intake:request_detail", request_id=sent.pk),
        why=why,
        where=sent.team.name,
        tone=tone,
        at=sent.submitted_at,
    )


def requests_part(ask: Ask) -> Part:
    """Two queries: the person's requests that are not closed, with their card and team."""
    sent = list(
        Request.objects.filter(
            organization_id=ask.organization.pk,
            requester_id=ask.user.pk,
            state__in=[RequestState.OPEN, RequestState.WAITING, RequestState.DONE],
        )
        .select_related("card", "team")
        .order_by("-submitted_at", "-pk")
    )
    to_confirm = [
        _item(each, ask, _("Done: confirm it or reopen it"), "warning")
        for each in sent
        if each.state == RequestState.DONE
    ]
    waiting = [
        _item(each, ask, _("The team waits on your answer"), "warning")
        for each in sent
        if each.state == RequestState.WAITING
    ]
    open_ = [
        _item(each, ask, _("With the team")) for each in sent if each.state == RequestState.OPEN
    ]
    return Part(
        key="requests",
        title=_("My requests"),
        groups=[
            cut("to_confirm", _("Done, waiting for your confirmation"), to_confirm),
            cut("open", _("Open"), waiting + open_),
        ],
        link=ask.url("intake:request_list"),
        link_label=_("All my requests"),
        note=_("Requests you sent to other teams that are not closed yet."),
    )
