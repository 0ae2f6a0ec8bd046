"""The development server, which records the address it serves at for the jobs run beside it.

Links in emails and chat posts are built from ``SITE_URL``. ``make run`` gives
its own processes the address, but a job run by hand in another shell
(``manage.py send_weekly_digests``) does not get it: the development settings
read the address this server wrote to ``var/site-url`` instead. Production
configures ``SITE_URL`` and never reads the file.

This app comes first in INSTALLED_APPS, so this command is the ``runserver``;
it extends WhiteNoise's, which serves static files as production does.
"""

from __future__ import annotations

import os

from django.conf import settings
from whitenoise.runserver_nostatic.management.commands.runserver import (
    Command as WhiteNoiseRunserver,
)


class Command(WhiteNoiseRunserver):
    def on_bind(self, server_port: int) -> None:
        super().on_bind(server_port)
        record_site_url(os.environ.get("SITE_URL") or self.served_url(server_port))

    def served_url(self, server_port: int) -> str:
        # A server listening on every interface is reached on this machine at loopback.
        host = {"0": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(  # noqa: S104
            self.addr, self.addr
        )
        if self._raw_ipv6 and not host.startswith("["):
            host = f"[{host}]"
        return f"{self.protocol}://{host}:{server_port}"


def record_site_url(url: str) -> None:
    settings.SITE_URL_FILE.parent.mkdir(parents=True, exist_ok=True)
    settings.SITE_URL_FILE.write_text(url.rstrip("/") + "\n")
