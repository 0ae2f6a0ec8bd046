"""Real HTTP servers on loopback standing in for Feishu's, DingTalk's and WeCom's APIs:
the access token, the user look-up and the message to one person, answered as the
services' public documentation describes (see opsboard/notify/direct.py).

Each also signs people in (opsboard/notify/sign_in): the page the browser is sent to
answers at once with a code for ``signing_in`` (the person the test says is signing in
there), and the code buys who they are, once.

Switches for what can go wrong: the next messages answered with "token expired", a
rate limit, or a permanent error; a wrong app secret is refused at the token. A
message sent twice under one key (Feishu's ``uuid``, WeCom's duplicate check) is
taken once, as the services do.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count

import pytest
from django.core.cache import cache

APP_ID = "cli_a5f1e2d3c4b5"
CORP_ID = "ww4f3e2d1c0b9a8776"
SECRET = "Qm9wc2JvYXJkLWFwcC1zZWNyZXQtMTIzNDU2"
AGENT_ID = "1000002"


# The pages the browser is sent to for signing in, and the APIs that then say who it was.
SIGN_IN_PAGES = {"/open-apis/authen/v1/index", "/oauth2/auth", "/wwlogin/sso/login"}
SIGN_IN_APIS = {
    "/open-apis/auth/v3/app_access_token/internal",
    "/open-apis/authen/v1/access_token",
    "/open-apis/authen/v1/user_info",
    "/v1.0/oauth2/userAccessToken",
    "/v1.0/contact/users/me",
}


@dataclass
class Message:
    """A message the service took: to whom, and what the app sent."""

    to: str
    body: dict


@dataclass
class Codes:
    path_token: str
    wrong_secret: dict
    expired: dict
    invalid: dict
    rate_limited: dict
    permanent: dict
    not_found: dict


CODES = {
    "feishu": Codes(
        "/open-apis/auth/v3/tenant_access_token/internal",
        {"code": 10014, "msg": "app secret invalid"},
        {
            "code": 99991663,
            "msg": "Invalid access token for authorization. Please make a request with token attached.",
        },
        {"code": 99991661, "msg": "Missing access token for authorization."},
        {"code": 99991400, "msg": "request trigger frequency limit"},
        {"code": 230013, "msg": "Bot has NO availability to this user."},
        {},
    ),
    "dingtalk": Codes(
        "/gettoken",
        {"errcode": 40089, "errmsg": "不合法的corpid或corpsecret"},
        {"errcode": 42001, "errmsg": "不合法的access_token"},
        {"errcode": 40014, "errmsg": "不合法的access_token"},
        {"errcode": 90018, "errmsg": "当前请求的API调用频率超过限制"},
        {"errcode": 33012, "errmsg": "无效的userid"},
        {"errcode": 60121, "errmsg": "找不到该用户"},
    ),
    "wecom": Codes(
        "/cgi-bin/gettoken",
        {"errcode": 40001, "errmsg": "invalid secret"},
        {"errcode": 42001, "errmsg": "access_token expired"},
        {"errcode": 40014, "errmsg": "invalid access_token"},
        {"errcode": 45009, "errmsg": "api freq out of limit"},
        {"errcode": 81013, "errmsg": "user & party & tag all invalid"},
        {"errcode": 46004, "errmsg": "user no exist"},
    ),
}


@dataclass
class DirectServer:
    """One service's API. ``people`` maps an email address or mobile number to a user id."""

    service: str
    people: dict[str, str] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)
    tokens_issued: int = 0
    lookups: int = 0
    # Switches: how many of the next messages are answered so.
    expire_next: int = 0
    rate_limit_next: int = 0
    fail_next: int = 0
    # Called with each message the service takes, before it answers (a test kills a worker).
    on_message: Callable[[Message], None] | None = None
    sends: int = 0  # every send asked, taken or not
    # Who signs in next at the service's sign-in page: their id in the app ("ou_…" or the
    # userid), "name", "email", "mobile"; DingTalk's also "union_id" and "corp_id".
    signing_in: dict | None = None

    def __post_init__(self) -> None:
        self._tokens: set[str] = set()
        self._keys: set[str] = set()
        self._numbers = count(1)
        self._lock = threading.Lock()
        self._members: set[str] = set()  # the ids of those who signed in
        self._codes: dict[str, dict] = {}  # a sign-in's code -> the person, until used
        self._user_tokens: dict[str, dict] = {}  # a person's token -> the person
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._answer(None)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length) or b"{}"
                if self.headers.get("Content-Type", "").startswith(
                    "application/x-www-form-urlencoded"
                ):
                    self._answer(dict(urllib.parse.parse_qsl(raw.decode())))
                else:
                    self._answer(json.loads(raw))

            def _answer(self, body: dict | None) -> None:
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                if parts.path in SIGN_IN_PAGES:
                    self.send_response(302)
                    self.send_header("Location", server.sign_in_page(query))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
                bearer = self.headers.get("x-acs-dingtalk-access-token") or bearer
                status, answer = server.handle(parts.path, query, body, bearer)
                payload = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> DirectServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # The APIs ---------------------------------------------------------------------

    def handle(self, path: str, query: dict, body: dict | None, bearer: str) -> tuple[int, dict]:
        codes = CODES[self.service]
        if path == codes.path_token:
            return self._token(query, body or {})
        if path in SIGN_IN_APIS:
            return self._sign_in(path, query, body or {}, bearer)
        token = bearer if self.service == "feishu" else query.get("access_token", "")
        if token not in self._tokens:
            # Feishu answers its errors with HTTP 400 and the code; the others with 200.
            return self._error(codes.invalid)
        if path in (
            "/open-apis/contact/v3/users/batch_get_id",
            "/topapi/v2/user/getbymobile",
            "/cgi-bin/user/get_userid_by_email",
            "/cgi-bin/user/getuserid",
        ):
            return self._look_up(path, body or {})
        if path in ("/topapi/user/getbyunionid", "/cgi-bin/auth/getuserinfo"):
            return self._signed_in(path, query, body or {})
        if path in ("/cgi-bin/user/get", "/cgi-bin/auth/getuserdetail"):
            return self._wecom_person(path, query, body or {})
        if path in (
            "/open-apis/im/v1/messages",
            "/topapi/message/corpconversation/asyncsend_v2",
            "/cgi-bin/message/send",
        ):
            return self._send(token, body or {})
        return 404, {"code": 404, "errcode": 404, "msg": f"no such API: {path}"}

    def _error(self, answer: dict) -> tuple[int, dict]:
        return (400 if self.service == "feishu" else 200), answer

    def _token(self, query: dict, body: dict) -> tuple[int, dict]:
        given = {
            "feishu": (body.get("app_id"), body.get("app_secret")),
            "dingtalk": (query.get("appkey"), query.get("appsecret")),
            "wecom": (query.get("corpid"), query.get("corpsecret")),
        }[self.service]
        if given != (CORP_ID if self.service == "wecom" else APP_ID, SECRET):
            return self._error(CODES[self.service].wrong_secret)
        with self._lock:
            self.tokens_issued += 1
            token = f"{self.service}-token-{next(self._numbers)}"
            self._tokens.add(token)
        if self.service == "feishu":
            return 200, {"code": 0, "msg": "ok", "tenant_access_token": token, "expire": 7200}
        return 200, {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}

    # Signing in -------------------------------------------------------------------

    def sign_in_page(self, query: dict) -> str:
        """Where the service's sign-in page sends the browser back: the app's address with
        a new code for ``signing_in`` (DingTalk calls it ``authCode``) and the state."""
        assert self.signing_in is not None, "say who signs in: server.signing_in = {...}"
        code = f"code-{next(self._numbers)}"
        self._codes[code] = dict(self.signing_in)
        if self.signing_in.get("id"):  # a member of the company: messages reach them
            self._members.add(self.signing_in["id"])
        name = "authCode" if self.service == "dingtalk" else "code"
        separator = "&" if "?" in query["redirect_uri"] else "?"
        back = urllib.parse.urlencode({name: code, "state": query.get("state", "")})
        return f"{query['redirect_uri']}{separator}{back}"

    def _sign_in(self, path: str, query: dict, body: dict, bearer: str) -> tuple[int, dict]:
        """Feishu's app token and a person's token and user info; DingTalk's."""
        if path == "/open-apis/auth/v3/app_access_token/internal":
            status, answer = self._token(query, body)
            if "tenant_access_token" in answer:
                answer["app_access_token"] = answer["tenant_access_token"]
            return status, answer
        if path == "/open-apis/authen/v1/access_token":
            if body.get("app_access_token") not in self._tokens:
                return self._error(CODES["feishu"].invalid)
            person = self._codes.pop(body.get("code", ""), None)
            if person is None:
                return self._error({"code": 20007, "msg": "invalid code"})
            token = self._user_token(person)
            return 200, {
                "code": 0,
                "msg": "success",
                "data": {"access_token": token, "token_type": "Bearer", "expires_in": 6900},
            }
        if path == "/v1.0/oauth2/userAccessToken":
            if (body.get("clientId"), body.get("clientSecret")) != (APP_ID, SECRET):
                return 400, {"code": "InvalidAuthentication", "message": "clientSecret invalid"}
            person = self._codes.pop(body.get("code", ""), None)
            if person is None:
                return 400, {"code": "InvalidAuthentication", "message": "authCode invalid"}
            return 200, {
                "accessToken": self._user_token(person),
                "refreshToken": "refresh",
                "expireIn": 7200,
                "corpId": person.get("corp_id", CORP_ID),
            }
        person = self._user_tokens.get(bearer)
        if person is None:
            if self.service == "feishu":
                return self._error(CODES["feishu"].invalid)
            return 401, {"code": "InvalidAuthentication", "message": "token invalid"}
        if path == "/open-apis/authen/v1/user_info":
            return 200, {
                "code": 0,
                "msg": "success",
                "data": {
                    "name": person["name"],
                    "open_id": person["id"],
                    "union_id": f"on_{person['id']}",
                    "email": person.get("email", ""),
                    "mobile": person.get("mobile", ""),
                    "tenant_key": "736588c9260f175d",
                },
            }
        return 200, {  # DingTalk's /v1.0/contact/users/me
            "nick": person["name"],
            "unionId": person["union_id"],
            "openId": f"open-{person['union_id']}",
            "mobile": person.get("mobile", ""),
            "email": person.get("email", ""),
            "stateCode": "86",
        }

    def _user_token(self, person: dict) -> str:
        with self._lock:
            token = f"{self.service}-user-token-{next(self._numbers)}"
            self._user_tokens[token] = person
        return token

    def _signed_in(self, path: str, query: dict, body: dict) -> tuple[int, dict]:
        """DingTalk's user id by union id; WeCom's person by a sign-in's code."""
        if path == "/topapi/user/getbyunionid":
            for person in [*self._user_tokens.values()]:
                if person.get("union_id") == body.get("unionid") and person.get("id"):
                    return 200, {
                        "errcode": 0,
                        "errmsg": "ok",
                        "result": {"contact_type": 0, "userid": person["id"]},
                    }
            return 200, CODES["dingtalk"].not_found
        person = self._codes.pop(query.get("code", ""), None)
        if person is None:
            return 200, {"errcode": 40029, "errmsg": "invalid code"}
        if not person.get("id"):  # not of the company: WeCom names an openid only
            return 200, {"errcode": 0, "errmsg": "ok", "openid": "oAAA", "external_userid": ""}
        ticket = self._user_token(person)
        return 200, {"errcode": 0, "errmsg": "ok", "userid": person["id"], "user_ticket": ticket}

    def _wecom_person(self, path: str, query: dict, body: dict) -> tuple[int, dict]:
        if path == "/cgi-bin/user/get":
            for person in [*self._user_tokens.values()]:
                if person.get("id") == query.get("userid"):
                    return 200, {
                        "errcode": 0,
                        "errmsg": "ok",
                        "userid": person["id"],
                        "name": person["name"],
                        "status": 1,
                    }
            return 200, {"errcode": 60111, "errmsg": "userid not found"}
        person = self._user_tokens.get(body.get("user_ticket", ""))
        if person is None:
            return 200, {"errcode": 40014, "errmsg": "invalid user_ticket"}
        return 200, {
            "errcode": 0,
            "errmsg": "ok",
            "userid": person["id"],
            "email": person.get("email", ""),
            "biz_mail": person.get("biz_mail", ""),
            "mobile": person.get("mobile", ""),
        }

    def _look_up(self, path: str, body: dict) -> tuple[int, dict]:
        self.lookups += 1
        if self.service == "feishu":
            asked = [*body.get("emails", []), *body.get("mobiles", [])]
            found = [
                {"email" if "@" in value else "mobile": value}
                | ({"user_id": self.people[value]} if value in self.people else {})
                for value in asked
            ]
            return 200, {"code": 0, "msg": "success", "data": {"user_list": found}}
        value = body.get("email") or body.get("mobile")
        if value not in self.people:
            return 200, CODES[self.service].not_found
        if self.service == "dingtalk":
            return 200, {"errcode": 0, "errmsg": "ok", "result": {"userid": self.people[value]}}
        return 200, {"errcode": 0, "errmsg": "ok", "userid": self.people[value]}

    def _send(self, token: str, body: dict) -> tuple[int, dict]:
        codes = CODES[self.service]
        with self._lock:
            self.sends += 1
            if self.expire_next:
                self.expire_next -= 1
                self._tokens.discard(token)
                return self._error(codes.expired)
            if self.rate_limit_next:
                self.rate_limit_next -= 1
                return self._error(codes.rate_limited)
            if self.fail_next:
                self.fail_next -= 1
                return self._error(codes.permanent)
        to = {
            "feishu": body.get("receive_id"),
            "dingtalk": body.get("userid_list"),
            "wecom": body.get("touser"),
        }[self.service]
        if to not in self.people.values() and to not in self._members:
            return self._error(codes.permanent)
        message = Message(to=to, body=body)
        # Feishu drops a second request with the same uuid; WeCom, with duplicate checking
        # on, the same content to the same person within the interval.
        key = {
            "feishu": body.get("uuid"),
            "wecom": json.dumps(body, sort_keys=True)
            if body.get("enable_duplicate_check")
            else None,
            "dingtalk": None,
        }[self.service]
        if self.on_message is not None:
            self.on_message(message)
        with self._lock:
            if key is None or key not in self._keys:
                self.messages.append(message)
            if key is not None:
                self._keys.add(key)
        if self.service == "feishu":
            return 200, {
                "code": 0,
                "msg": "success",
                "data": {"message_id": f"om_{len(self.messages)}"},
            }
        if self.service == "dingtalk":
            return 200, {
                "errcode": 0,
                "errmsg": "ok",
                "task_id": len(self.messages),
                "request_id": "r1",
            }
        return 200, {
            "errcode": 0,
            "errmsg": "ok",
            "invaliduser": "",
            "msgid": str(len(self.messages)),
        }


@pytest.fixture
def direct_server(request: pytest.FixtureRequest, settings) -> Iterator[DirectServer]:
    """The service named by the test's ``service`` parameter (Feishu if none), with the
    setting that points the app at it."""
    service = getattr(request, "param", "feishu")
    server = DirectServer(service).start()
    cache.clear()  # no token of another test's server
    setattr(settings, f"DIRECT_{service.upper()}_API", server.url)
    settings.SIGN_IN_DINGTALK_LOGIN = settings.SIGN_IN_DINGTALK_API = server.url
    settings.SIGN_IN_WECOM_LOGIN = f"{server.url}/wwlogin/sso/login"
    yield server
    server.stop()
