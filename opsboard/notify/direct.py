"""Personal messages through an organisation's own Feishu, DingTalk or WeCom app.

Each service is asked three things: an access token for the app, who a person is
(by the email address or mobile number of their Opsboard account), and to send that
person a message. The base addresses are settings (``DIRECT_FEISHU_API``,
``DIRECT_DINGTALK_API``, ``DIRECT_WECOM_API``) so tests point them at loopback. What
is asked, as each service's public documentation describes it:

Feishu / Lark (https://open.feishu.cn; the answers carry ``code``, 0 for success)
    POST /open-apis/auth/v3/tenant_access_token/internal  {"app_id", "app_secret"}
        -> {"tenant_access_token", "expire": seconds}
    POST /open-apis/contact/v3/users/batch_get_id?user_id_type=open_id
        {"emails": [...]} or {"mobiles": [...]} -> {"data": {"user_list": [{"user_id"}]}}
        (an entry without ``user_id``: nobody by that address or number)
    POST /open-apis/im/v1/messages?receive_id_type=open_id
        {"receive_id", "msg_type": "interactive", "content": the card as JSON text, "uuid"}
        (the service sends one message per ``uuid`` within an hour: a retry after a
        lost answer is not a second message)
    99991663 and 99991661: the tenant token is invalid or missing -> a new token, once;
    99991400: too many requests -> later.

DingTalk (https://oapi.dingtalk.com; the answers carry ``errcode``)
    GET /gettoken?appkey=&appsecret=  -> {"access_token", "expires_in": seconds}
    POST /topapi/v2/user/getbymobile?access_token=  {"mobile"} -> {"result": {"userid"}}
        (60121: nobody by that number; DingTalk looks people up by mobile only)
    POST /topapi/message/corpconversation/asyncsend_v2?access_token=
        {"agent_id", "userid_list", "msg": {"msgtype": "action_card", "action_card":
        {"title", "markdown", "single_title", "single_url"}}}  -> {"task_id"}
    40014 and 42001: the token is invalid or expired -> a new token, once;
    90018: too many requests, -1: the service is busy -> later.

WeCom (https://qyapi.weixin.qq.com; the answers carry ``errcode``)
    GET /cgi-bin/gettoken?corpid=&corpsecret=  -> {"access_token", "expires_in": seconds}
    POST /cgi-bin/user/get_userid_by_email?access_token=  {"email", "email_type": 1}
    POST /cgi-bin/user/getuserid?access_token=  {"mobile"}  -> {"userid"}
        (46004: nobody by that address or number)
    POST /cgi-bin/message/send?access_token=
        {"touser", "agentid", "msgtype": "markdown", "markdown": {"content"},
        "enable_duplicate_check": 1, "duplicate_check_interval": 3600}
        -> {"invaliduser": ""}  (a person named there did not get it)
    40014 and 42001: the token is invalid or expired -> a new token, once;
    45009: too many requests, 45033: too many at once, -1: busy -> later.

Signing in through the app (``opsboard.notify.sign_in``) also asks DingTalk
``POST /topapi/user/getbyunionid {"unionid"} -> {"result": {"userid"}}`` and WeCom
``/cgi-bin/auth/getuserinfo``, ``/cgi-bin/user/get`` and ``/cgi-bin/auth/getuserdetail``
(40029: the code is not good).

Besides those codes, HTTP 429 and 5xx, a timeout or a refused connection may pass
(``DirectUnavailable``); any other error will not (``DirectRejected``). A token is
kept in the cache (Redis in production) until a few minutes before it expires.
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.utils.translation import gettext_lazy as _

from .chat import truncate

if TYPE_CHECKING:
    from .models import ConnectedApp


class DirectService(models.TextChoices):
    FEISHU = "feishu", _("Feishu / Lark")
    DINGTALK = "dingtalk", _("DingTalk")
    WECOM = "wecom", _("WeCom")


@dataclass(frozen=True)
class Codes:
    token: frozenset[int]  # the token is invalid or expired: ask for a new one
    busy: frozenset[int]  # rate limits and busy answers: try later
    not_found: frozenset[int] = frozenset()  # a look-up found nobody


CODES = {
    DirectService.FEISHU: Codes(frozenset({99991663, 99991661}), frozenset({99991400})),
    DirectService.DINGTALK: Codes(
        frozenset({40014, 42001}), frozenset({90018, -1}), frozenset({60121})
    ),
    DirectService.WECOM: Codes(
        frozenset({40014, 42001}), frozenset({45009, 45033, -1}), frozenset({46004})
    ),
}
# The most a message's Markdown may hold, in bytes of UTF-8 (WeCom's markdown: 2048).
LIMITS = {DirectService.FEISHU: 20_000, DirectService.DINGTALK: 5_000, DirectService.WECOM: 1_800}
# A token is used until this many seconds before the service says it expires.
TOKEN_MARGIN = 300


class DirectUnavailable(Exception):
    """The service did not take the request this time; it may later."""


class DirectRejected(Exception):
    """The service refused the request; asking again will not help."""


class CredentialsRejected(DirectRejected):
    """The service refused the app's id or secret."""


class _TokenInvalid(Exception):
    """The service no longer takes the token it gave."""


@dataclass(frozen=True)
class DirectMessage:
    title: str
    markdown: str
    link: str  # the address the message's button opens
    button: str  # the button's text
    key: str  # one message: the services that drop a repeated request know it by this


def _base(service: str) -> str:
    return {
        DirectService.FEISHU: settings.DIRECT_FEISHU_API,
        DirectService.DINGTALK: settings.DIRECT_DINGTALK_API,
        DirectService.WECOM: settings.DIRECT_WECOM_API,
    }[DirectService(service)].rstrip("/")


def _request(
    service: str,
    path: str,
    *,
    query: dict[str, object] | None = None,
    body: dict[str, object] | None = None,
    token: str = "",
) -> dict[str, Any]:
    """One call; the answer's JSON when its code is 0, else the matching exception."""
    address = _base(service) + path
    if query:
        address += "?" + urllib.parse.urlencode(query)
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if token and service == DirectService.FEISHU:
        headers["Authorization"] = f"Bearer {token}"
    if urllib.parse.urlsplit(address).scheme not in ("https", "http"):
        raise DirectRejected(f"Not a web address: {_base(service)}")
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        address,
        data=None if body is None else json.dumps(body, ensure_ascii=False).encode(),
        headers=headers,
        method="GET" if body is None else "POST",
    )
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=settings.DIRECT_MESSAGE_TIMEOUT
        ) as response:
            answer = response.read(100_000).decode(errors="replace")
    except urllib.error.HTTPError as error:
        answer = error.read(2_000).decode(errors="replace")
        data = _json(answer)
        if data is not None and _code(data):
            _check(service, data)  # the service's own code says more than the status
        detail = f"HTTP {error.code}: {answer[:300]}".strip()
        if error.code >= 500 or error.code in (408, 429):
            raise DirectUnavailable(detail) from error
        raise DirectRejected(detail) from error
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        raise DirectUnavailable(f"{error.__class__.__name__}: {error}") from error
    data = _json(answer)
    if data is None:
        raise DirectRejected(f"Unexpected answer: {answer[:200]}")
    _check(service, data)
    return data


def _json(answer: str) -> dict[str, Any] | None:
    try:
        data = json.loads(answer)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _code(data: dict[str, Any]) -> int:
    code = data.get("code", data.get("errcode", 0))
    return int(code) if isinstance(code, int | str) and str(code).lstrip("-").isdigit() else 0


def _check(service: str, data: dict[str, Any]) -> None:
    code = _code(data)
    if not code:
        return
    detail = f"{code}: {data.get('msg') or data.get('errmsg') or ''}".strip()
    codes = CODES[DirectService(service)]
    if code in codes.token:
        raise _TokenInvalid(detail)
    if code in codes.busy:
        raise DirectUnavailable(detail)
    if code in codes.not_found:
        raise LookupError(detail)
    raise DirectRejected(detail)


# Tokens -------------------------------------------------------------------------


def _token_key(app: ConnectedApp) -> str:
    # A new id or secret is a new key: the old token is never used for them.
    fingerprint = hashlib.sha256(f"{app.app_id}\n{app.corp_id}\n{app.app_secret}".encode())
    return f"direct-token:{app.pk}:{fingerprint.hexdigest()[:16]}"


def fetch_token(app: ConnectedApp) -> tuple[str, int]:
    """A new access token from the service and its lifetime in seconds."""
    try:
        if app.service == DirectService.FEISHU:
            data = _request(
                app.service,
                "/open-apis/auth/v3/tenant_access_token/internal",
                body={"app_id": app.app_id, "app_secret": app.app_secret},
            )
            return str(data["tenant_access_token"]), int(data.get("expire", 7200))
        if app.service == DirectService.DINGTALK:
            query = {"appkey": app.app_id, "appsecret": app.app_secret}
            data = _request(app.service, "/gettoken", query=query)
        else:
            query = {"corpid": app.corp_id, "corpsecret": app.app_secret}
            data = _request(app.service, "/cgi-bin/gettoken", query=query)
        return str(data["access_token"]), int(data.get("expires_in", 7200))
    except (DirectRejected, _TokenInvalid, LookupError, KeyError, ValueError) as error:
        raise CredentialsRejected(str(error)) from error


def access_token(app: ConnectedApp, *, fresh: bool = False) -> str:
    """The app's token: from the cache, else (or when ``fresh``) a new one, kept until
    ``TOKEN_MARGIN`` seconds before it expires."""
    key = _token_key(app)
    if not fresh:
        token = cache.get(key)
        if token:
            return token
    token, lifetime = fetch_token(app)
    cache.set(key, token, timeout=max(lifetime - TOKEN_MARGIN, 60))
    return token


def _with_token(app: ConnectedApp, call: Any) -> Any:
    """``call(token)``; when the service says the token is no longer good, once more
    with a new one."""
    try:
        return call(access_token(app))
    except _TokenInvalid:
        pass
    try:
        return call(access_token(app, fresh=True))
    except _TokenInvalid as error:
        raise DirectUnavailable(f"The service refused a new token too: {error}") from error


# Who is who ---------------------------------------------------------------------


def _local_mobile(mobile: str) -> str:
    """DingTalk and WeCom take a mainland number without its country code."""
    return mobile[3:] if mobile.startswith("+86") else mobile


def look_up(app: ConnectedApp, *, email: str = "", mobile: str = "") -> tuple[str, str]:
    """(the person's id in the app, "email" or "mobile"), or ("", "") when the service
    knows neither. Raises DirectUnavailable or DirectRejected when it could not say."""
    for how, value in (("email", email), ("mobile", mobile)):
        if not value or (how == "email" and app.service == DirectService.DINGTALK):
            continue
        found = _with_token(
            app, lambda token, how=how, value=value: _look_up(app, token, how, value)
        )
        if found:
            return found, how
    return "", ""


def _look_up(app: ConnectedApp, token: str, how: str, value: str) -> str:
    try:
        if app.service == DirectService.FEISHU:
            data = _request(
                app.service,
                "/open-apis/contact/v3/users/batch_get_id",
                query={"user_id_type": "open_id"},
                body={"emails" if how == "email" else "mobiles": [value]},
                token=token,
            )
            people = (data.get("data") or {}).get("user_list") or []
            return next((str(p["user_id"]) for p in people if p.get("user_id")), "")
        if app.service == DirectService.DINGTALK:
            data = _request(
                app.service,
                "/topapi/v2/user/getbymobile",
                query={"access_token": token},
                body={"mobile": _local_mobile(value)},
            )
            return str((data.get("result") or {}).get("userid") or "")
        if how == "email":
            path, body = "/cgi-bin/user/get_userid_by_email", {"email": value, "email_type": 1}
        else:
            path, body = "/cgi-bin/user/getuserid", {"mobile": _local_mobile(value)}
        data = _request(app.service, path, query={"access_token": token}, body=body)
        return str(data.get("userid") or "")
    except LookupError:
        return ""


# Sending ------------------------------------------------------------------------


def send(app: ConnectedApp, user_id: str, message: DirectMessage) -> None:
    """Send one person one message; raise DirectUnavailable or DirectRejected when it
    is not taken."""
    message = DirectMessage(
        title=message.title,
        markdown=truncate(message.markdown, LIMITS[DirectService(app.service)], "…"),
        link=message.link,
        button=message.button,
        key=message.key,
    )
    try:
        _with_token(app, lambda token: _send(app, token, user_id, message))
    except LookupError as error:
        raise DirectRejected(str(error)) from error


def feishu_card(message: DirectMessage) -> dict[str, object]:
    elements: list[dict[str, object]] = [{"tag": "markdown", "content": message.markdown}]
    if message.link:
        elements.append(
            {
                "tag": "action",
                "actions": [
                    {
                        "tag": "button",
                        "text": {"tag": "plain_text", "content": message.button},
                        "type": "primary",
                        "url": message.link,
                    }
                ],
            }
        )
    return {
        "config": {"wide_screen_mode": True},
        "header": {"title": {"tag": "plain_text", "content": message.title}, "template": "blue"},
        "elements": elements,
    }


def _send(app: ConnectedApp, token: str, user_id: str, message: DirectMessage) -> None:
    if app.service == DirectService.FEISHU:
        _request(
            app.service,
            "/open-apis/im/v1/messages",
            query={"receive_id_type": "open_id"},
            body={
                "receive_id": user_id,
                "msg_type": "interactive",
                "content": json.dumps(feishu_card(message), ensure_ascii=False),
                "uuid": message.key[:50],
            },
            token=token,
        )
        return
    link = f"\n\n[{message.button}]({message.link})" if message.link else ""
    if app.service == DirectService.DINGTALK:
        card: dict[str, object] = {
            "title": message.title,
            "markdown": f"### {message.title}\n{message.markdown}",
        }
        if message.link:
            card |= {"single_title": message.button, "single_url": message.link}
        msg = (
            {"msgtype": "action_card", "action_card": card}
            if message.link
            else {
                "msgtype": "markdown",
                "markdown": {"title": message.title, "text": card["markdown"]},
            }
        )
        _request(
            app.service,
            "/topapi/message/corpconversation/asyncsend_v2",
            query={"access_token": token},
            body={"agent_id": _agent(app), "userid_list": user_id, "msg": msg},
        )
        return
    data = _request(
        app.service,
        "/cgi-bin/message/send",
        query={"access_token": token},
        body={
            "touser": user_id,
            "agentid": _agent(app),
            "msgtype": "markdown",
            "markdown": {"content": f"**{message.title}**\n{message.markdown}{link}"},
            "enable_duplicate_check": 1,
            "duplicate_check_interval": 3600,
        },
    )
    if data.get("invaliduser"):
        raise DirectRejected(f"WeCom does not know user {data['invaliduser']}")


def _agent(app: ConnectedApp) -> int | str:
    return int(app.agent_id) if app.agent_id.isdigit() else app.agent_id


# Signing in ---------------------------------------------------------------------


def dingtalk_user_id(app: ConnectedApp, union_id: str) -> str:
    """The DingTalk user id (the one messages go to) of the person whose ``unionId`` the
    sign-in gave, or "" when the app's company does not know them."""
    try:
        data = _with_token(
            app,
            lambda token: _request(
                app.service,
                "/topapi/user/getbyunionid",
                query={"access_token": token},
                body={"unionid": union_id},
            ),
        )
    except LookupError:
        return ""
    return str((data.get("result") or {}).get("userid") or "")


def wecom_signed_in(app: ConnectedApp, code: str) -> dict[str, Any]:
    """Who signed in through WeCom with ``code``: their user id, name and, when the
    sign-in may see them, email addresses and mobile number. Raises DirectRejected when
    the code is not good (40029) or the person is not a member of the app's company."""
    return _with_token(app, lambda token: _wecom_signed_in(app, token, code))


def _wecom_signed_in(app: ConnectedApp, token: str, code: str) -> dict[str, Any]:
    found = _request(
        app.service, "/cgi-bin/auth/getuserinfo", query={"access_token": token, "code": code}
    )
    user_id = str(found.get("userid") or "")
    if not user_id:  # someone from outside the company: WeCom gives an openid only
        raise DirectRejected("Not a member of the app's company")
    person = _request(
        app.service, "/cgi-bin/user/get", query={"access_token": token, "userid": user_id}
    )
    if found.get("user_ticket"):
        person |= _request(
            app.service,
            "/cgi-bin/auth/getuserdetail",
            query={"access_token": token},
            body={"user_ticket": found["user_ticket"]},
        )
    return {key: value for key, value in person.items() if key not in ("errcode", "errmsg")} | {
        "userid": user_id
    }
