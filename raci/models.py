from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _

from kanban.models import Card
from opsboard.tenancy.models import Organization, Team


class RaciRole(models.TextChoices):
    RESPONSIBLE = "R", _("Responsible")
    ACCOUNTABLE = "A", _("Accountable")
    CONSULTED = "C", _("Consulted")
    INFORMED = "I", _("Informed")


class RaciAssignment(models.Model):
    """A role on a card, held by one person or by a whole team."""

    card = models.ForeignKey(
        Card, on_delete=models.CASCADE, related_name="raci", verbose_name=_("card")
    )
    role = models.CharField(_("role"), max_length=1, choices=RaciRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="raci_roles",
        verbose_name=_("person"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="raci_roles",
        verbose_name=_("team"),
    )
    created_at = models.DateTimeField(_("set"), default=django_timezone.now, editable=False)

    class Meta:
        verbose_name = _("RACI role")
        verbose_name_plural = _("RACI roles")
        ordering = ["card", "role"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(user__isnull=False, team__isnull=True)
                    | Q(user__isnull=True, team__isnull=False)
                ),
                name="raci_held_by_a_person_or_a_team",
            ),
            # A person (or a team) holds at most one role per card.
            models.UniqueConstraint(
                fields=["card", "user"],
                condition=Q(user__isnull=False),
                name="raci_one_role_per_person",
            ),
            models.UniqueConstraint(
                fields=["card", "team"],
                condition=Q(team__isnull=False),
                name="raci_one_role_per_team",
            ),
        ]
        indexes = [models.Index(fields=["user", "role"], name="raci_by_person_role")]

    def __str__(self) -> str:
        return f"{self.role} {self.user or self.team} on {self.card}"

    @property
    def holder(self) -> object:
        return self.user or self.team


DEFAULT_OVERDUE_REPEAT = 3
DEFAULT_BLOCKED_ALERT = 2


class RaciPolicy(models.Model):
    """An organisation's thresholds for the matrix's warnings."""

    organization = models.OneToOneField(
        Organization,
        on_delete=models.CASCADE,
        related_name="raci_policy",
        verbose_name=_("organisation"),
    )
    consulted_limit = models.PositiveSmallIntegerField(
        _("most Consulted on a card"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("Warn when more people or teams than this are Consulted on one card."),
    )
    accountable_limit = models.PositiveSmallIntegerField(
        _("most open cards one person is Accountable for"),
        default=5,
        validators=[MinValueValidator(1)],
        help_text=_("Warn when someone is Accountable for more open cards than this."),
    )
    overdue_repeat_days = models.PositiveSmallIntegerField(
        _("remind the Accountable of an overdue card every"),
        default=DEFAULT_OVERDUE_REPEAT,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_(
            "Days. The Accountable hears the day after the due date, then again this often"
            " until the card is done."
        ),
    )
    blocked_alert_days = models.PositiveSmallIntegerField(
        _("tell the Accountable when a card has been blocked for"),
        default=DEFAULT_BLOCKED_ALERT,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("Days. Again after as many more days while it stays blocked."),
    )

    class Meta:
        verbose_name = _("RACI thresholds")
        verbose_name_plural = _("RACI thresholds")

    def __str__(self) -> str:
        return str(self.organization)
