"""Real HTTP servers on loopback standing in for Feishu's, DingTalk's and WeCom's APIs:
the access token, the user look-up and the message to one person, answered as the
services' public documentation describes (see opsboard/notify/direct.py).

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

    def __post_init__(self) -> None:
        self._tokens: set[str] = set()
        self._keys: set[str] = set()
        self._numbers = count(1)
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._answer(None)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                self._answer(json.loads(self.rfile.read(length) or b"{}"))

            def _answer(self, body: dict | None) -> None:
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
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
        if to not in self.people.values():
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
    yield server
    server.stop()
