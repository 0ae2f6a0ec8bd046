"""A real HTTP server on loopback standing in for Feishu, DingTalk, WeCom and Slack."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    query: dict[str, str]
    body: dict


@dataclass
class Answer:
    status: int = 200
    body: str = '{"code": 0, "errcode": 0, "msg": "ok"}'
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class ChatServer:
    """Records every POST; answers with the queued answers, then with 200 ok."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answers: list[Answer] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                parts = urllib.parse.urlsplit(self.path)
                server.received.append(
                    Received(
                        path=parts.path,
                        query=dict(urllib.parse.parse_qsl(parts.query)),
                        body=json.loads(self.rfile.read(length) or b"{}"),
                    )
                )
                answer = server.answers.pop(0) if server.answers else Answer()
                time.sleep(answer.delay)
                payload = answer.body.encode()
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    server = ChatServer()
    server.start()
    yield server
    server.stop()
