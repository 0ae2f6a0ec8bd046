"""Where a card is opened: beside its board, in the side panel."""

from __future__ import annotations

from django.urls import reverse


def card_panel_path(*, org_slug: str, board_id: int, card_id: int, anchor: str = "") -> str:
    """The address of the card open in the panel beside its board (``?card=``): what every
    link to a card outside the board uses (My work, emails, chat posts). The full card
    page (``kanban:card_detail``) stays for the board's own links without script."""
    board = reverse("kanban:board_detail", kwargs={"org_slug": org_slug, "board_id": board_id})
    return f"{board}?card={card_id}" + (f"#{anchor}" if anchor else "")
