"""When a month's retrospectives are built: the working day and hour each organisation
has reached, and the scan the hourly beat task (and ``manage.py build_retrospectives``)
runs to build and announce the ones due."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef

from opsboard.commands import moment_text
from opsboard.tenancy.calendar import WorkingCalendar, calendar_for
from opsboard.tenancy.models import Organization, Team
from projects.models import Project, ProjectStatus

from ..models import Retrospective
from .notifications import KIND_BUILT, notify
from .report import Subject, previous_month
from .services import retrospective_build

BUILD_HOUR = 7  # local time on the organisation's retrospective day: before work starts


def working_day(calendar: WorkingCalendar, month: date, number: int = 1) -> date:
    """The month's ``number``-th working day in the organisation's calendar: weekends, public
    holidays and company days off are skipped, make-up working days count."""
    return calendar.nth_working_day_of_month(month, number)


def due_builds(*, now: datetime) -> list[tuple[Subject, date]]:
    """The projects and teams whose retrospective of last month is due now and not built yet.

    Due from BUILD_HOUR on the organisation's working day of the month
    (``Organization.retrospective_working_day``, the first by default), in its time zone;
    one missed then (the job was down) is caught up on the next run. Only projects active
    now, and teams, that existed before the month ended get one.
    """
    due = []
    for organization in Organization.objects.all():
        zone = organization.zone
        local = now.astimezone(zone)
        this_month = local.date().replace(day=1)
        if local < build_day_at(organization, this_month):
            continue
        month = previous_month(this_month)
        month_end = datetime.combine(this_month, time.min, tzinfo=zone)
        projects = (
            Project.objects.filter(
                organization=organization, status=ProjectStatus.ACTIVE, created_at__lt=month_end
            )
            .exclude(Exists(Retrospective.objects.filter(project=OuterRef("pk"), month=month)))
            .select_related("organization", "owner")
            .order_by("pk")
        )
        teams = (
            Team.objects.filter(organization=organization, created_at__lt=month_end)
            .exclude(Exists(Retrospective.objects.filter(team=OuterRef("pk"), month=month)))
            .select_related("organization", "lead")
            .order_by("pk")
        )
        due += [(Subject.of(reviewed), month) for reviewed in [*projects, *teams]]
    return due


def build_day_at(organization: Organization, month: date) -> datetime:
    """When the month's build falls due: BUILD_HOUR on the organisation's working day of it."""
    day = working_day(calendar_for(organization), month, organization.retrospective_working_day)
    return datetime.combine(day, time(BUILD_HOUR), tzinfo=organization.zone)


def explain_retrospectives(*, now: datetime) -> list[str]:
    """Why no retrospective is built now, by organisation: not due until (when), or last
    month's already built (when), with the next build. For the command run by hand."""
    due = {(subject.organization.pk, month) for subject, month in due_builds(now=now)}
    lines = []
    for organization in Organization.objects.order_by("slug"):
        local = now.astimezone(organization.zone)
        this_month = local.date().replace(day=1)
        month = previous_month(this_month)
        build_at = build_day_at(organization, this_month)
        if local < build_at:
            lines.append(
                f"{organization.slug}: {month:%Y-%m} not due until"
                f" {moment_text(build_at, as_now=True)}"
                f": working day {organization.retrospective_working_day} of the month."
            )
            continue
        next_at = build_day_at(organization, (this_month + timedelta(days=32)).replace(day=1))
        next_build = moment_text(next_at, as_now=True)
        built = Retrospective.objects.filter(organization=organization, month=month)
        if built:
            last = max(retrospective.built_at for retrospective in built).astimezone(local.tzinfo)
            lines.append(
                f"{organization.slug}: {month:%Y-%m} already built for {len(built)}"
                f" (the last at {moment_text(last)})"
                + (
                    ""
                    if (organization.pk, month) in due
                    else ", every project and team that existed then"
                )
                + f"; the next are due from {next_build}."
            )
        elif (organization.pk, month) not in due:
            lines.append(
                f"{organization.slug}: no active project or team existed before {this_month};"
                f" the next are due from {next_build}."
            )
    return lines


def build_retrospectives(*, now: datetime, dry_run: bool = False) -> list[Retrospective]:
    """Build every retrospective due now and tell who answers for it (recipients_of), once.

    Each build and its ledger rows commit together; a second run, or one at the same time,
    finds the retrospective there (one per project or team and month) and sends nothing new.
    """
    built = []
    for subject, month in due_builds(now=now):
        if dry_run:
            built.append(
                Retrospective(organization=subject.organization, month=month, **subject.lookup)
            )
            continue
        with transaction.atomic():
            retrospective, created = retrospective_build(month=month, **subject.lookup)
            if created:
                notify(retrospective, kind=KIND_BUILT)
                built.append(retrospective)
    return built
