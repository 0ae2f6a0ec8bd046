from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _

from opsboard.tenancy.models import Organization


class SearchDocument(models.Model):
    """One searchable object (a card with its comments, a goal, a person…) as the search
    reads it: its kind and id, its organisation, its title and the text of its fields
    (to show why it matched), and ``vector``, the ``tsvector`` of that text
    (``opsboard.search.text``), GIN-indexed on PostgreSQL. Kept by ``services`` after each
    change commits; ``manage.py rebuild_search_index`` writes it anew.

    Under SQLite (``make run``) ``vector`` stays empty and ``content`` holds the folded
    text, which the search reads with ``icontains``."""

    # No b-tree on the organisation: given one, PostgreSQL reads a big organisation's rows
    # through it and tests every vector (300 ms for a word in 10% of 100,000 cards)
    # rather than asking the GIN index (10 ms).
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organisation"),
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=20)
    object_id = models.BigIntegerField(_("object"))
    title = models.CharField(_("title"), max_length=300)
    # [{"name": "comment", "text": "…", "weight": "C"}, …]
    fields = models.JSONField(_("fields"), default=list)
    vector = SearchVectorField(null=True)
    content = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_object")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
