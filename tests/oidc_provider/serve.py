"""Run the loopback provider: ``python -m tests.oidc_provider.serve PORT``.

Makes its tables, registers Opsboard as a confidential client (``OIDC_CLIENT_ID`` and
``OIDC_CLIENT_SECRET``, no consent screen) and serves until it is stopped."""

from __future__ import annotations

import os
import sys

os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402


def main(port: str) -> None:
    call_command("migrate", verbosity=0, interactive=False)
    Application.objects.update_or_create(
        client_id=os.environ["OIDC_CLIENT_ID"],
        defaults={
            "name": "Opsboard",
            "client_secret": os.environ["OIDC_CLIENT_SECRET"],
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "algorithm": Application.RS256_ALGORITHM,
            "redirect_uris": "http://127.0.0.1/",
            "skip_authorization": True,
        },
    )
    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, use_threading=True)


if __name__ == "__main__":
    main(sys.argv[1])
