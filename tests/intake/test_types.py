"""A team's request types, set up on their pages by the team's lead or the organisation's
managers: the form's questions, where requests land, the default RACI, the response
targets in working hours and minutes, the order and whether the type takes requests."""

from __future__ import annotations

import pytest
from django.urls import reverse

from intake.models import FieldKind, RequestField, RequestType
from intake.services import FieldInput, RequestTypeInput, request_type_create
from tests.conftest import Tenant
from tests.factories import ProjectFactory
from tests.intake.requesting import Intake, make_intake


@pytest.fixture
def intake(tenant: Tenant) -> Intake:
    return make_intake(tenant)


def form_data(intake: Intake, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "team": intake.team.pk,
        "name": "Complaint escalation",
        "description": "A complaint a customer escalated.",
        "column": intake.landing.pk,
        "priority": 3,
        "first_response_minutes_hours": "2",
        "first_response_minutes_minutes": "",
        "plan_minutes_hours": "24",
        "plan_minutes_minutes": "0",
        "resolution_minutes_hours": "",
        "resolution_minutes_minutes": "",
        "responsible": intake.analyst.user_id,
        "accountable": intake.lead.user_id,
        "accepting": "on",
        "questions-TOTAL_FORMS": "3",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "30",
        "questions-0-label": "Order number",
        "questions-0-kind": "text",
        "questions-0-required": "on",
        "questions-0-ORDER": "2",
        "questions-1-label": "Channel",
        "questions-1-kind": "choice",
        "questions-1-choices": "Phone\nEmail\n",
        "questions-1-ORDER": "1",
        "questions-2-label": "",
        "questions-2-kind": "text",
    }
    data.update(changes)
    return data


def test_the_teams_lead_sets_up_a_type_with_its_form_and_targets(
    tenant: Tenant, intake: Intake, client
) -> None:
    client.force_login(intake.lead.user)
    url = reverse("intake:type_create", args=["acme"])
    page = client.get(url, {"team": intake.team.pk})
    assert page.status_code == 200
    assert "Data desk · To do" not in page.text  # grouped: the board is the group's name
    assert 'label="Data desk · Data desk"' in page.text or "Data desk" in page.text
    response = client.post(url, form_data(intake))
    assert response.status_code == 302, response.text
    made = RequestType.objects.get(name="Complaint escalation")
    assert (made.team, made.board, made.column, made.priority) == (
        intake.team,
        intake.board,
        intake.landing,
        3,
    )
    assert (made.first_response_minutes, made.plan_minutes, made.resolution_minutes) == (
        120,
        24 * 60,
        None,
    )
    assert (made.responsible, made.accountable) == (intake.analyst.user, intake.lead.user)
    assert made.position == 1  # after the data pull
    assert [(f.label, f.kind, f.required, f.choices) for f in made.fields.all()] == [
        ("Channel", FieldKind.CHOICE, False, ["Phone", "Email"]),
        ("Order number", FieldKind.TEXT, True, []),
    ]
    listing = client.get(reverse("intake:type_list", args=["acme"]))
    assert "Complaint escalation" in listing.text and "Data pull" in listing.text


def test_editing_keeps_the_questions_it_keeps_and_drops_the_deleted(
    tenant: Tenant, intake: Intake, client
) -> None:
    client.force_login(intake.lead.user)
    url = reverse("intake:type_edit", args=["acme", intake.data_pull.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="2"' in page.text  # two working hours to respond
    questions = list(intake.data_pull.fields.all())
    data = form_data(intake, name="Data pull", **{"questions-TOTAL_FORMS": str(len(questions))})
    data["questions-INITIAL_FORMS"] = str(len(questions))
    for index, question in enumerate(questions):
        data[f"questions-{index}-id"] = question.pk
        data[f"questions-{index}-label"] = question.label
        data[f"questions-{index}-kind"] = question.kind
        data[f"questions-{index}-choices"] = "\n".join(question.choices)
        data[f"questions-{index}-ORDER"] = ""
        data.pop(f"questions-{index}-required", None)
    data["questions-1-DELETE"] = "on"
    data["questions-0-label"] = "Which data, exactly"
    response = client.post(url, data)
    assert response.status_code == 302, response.text
    kept = list(intake.data_pull.fields.all())
    assert [f.pk for f in kept] == [q.pk for q in questions if q.label != "Why"]
    assert kept[0].label == "Which data, exactly"
    assert not RequestField.objects.filter(pk=questions[1].pk).exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "data PULL"}, "name", "This team already has a request type of that name."),
        ({"accountable": "ANALYST"}, "accountable", "One person holds one role on a card"),
        ({"questions-1-choices": ""}, None, "“Channel”: a choice needs at least one option."),
        ({"plan_minutes_minutes": "75"}, "plan_minutes", "Ensure this value is less than"),
        ({"column": "OTHER"}, "column", "Choose a board of a project the team takes part in."),
    ],
)
def test_a_wrong_type_is_refused_by_its_field(
    tenant: Tenant, intake: Intake, client, changes: dict, field: str | None, message: str
) -> None:
    other = ProjectFactory(organization=tenant.organization, name="Elsewhere", teams=[tenant.team])
    values = {
        "ANALYST": intake.analyst.user_id,
        "OTHER": other.boards.get().columns.first().pk,
    }
    changes = {key: values.get(value, value) for key, value in changes.items()}
    client.force_login(intake.lead.user)
    before = RequestType.objects.count(), RequestField.objects.count()
    response = client.post(
        reverse("intake:type_create", args=["acme"]), form_data(intake, **changes)
    )
    assert response.status_code == 400
    text = response.text.replace("&#x27;", "'")
    assert message in text
    if field:
        assert f'id="id_{field}_error"' in text or f'id="id_{field}_0_error"' in text
    assert (RequestType.objects.count(), RequestField.objects.count()) == before


def test_only_the_teams_lead_and_managers_set_up_its_types(
    tenant: Tenant, intake: Intake, client
) -> None:
    edit = reverse("intake:type_edit", args=["acme", intake.data_pull.pk])
    client.force_login(intake.analyst.user)
    assert client.get(reverse("intake:type_list", args=["acme"])).status_code == 403
    assert (
        client.post(reverse("intake:type_create", args=["acme"]), form_data(intake)).status_code
        == 403
    )
    client.force_login(tenant.lead.user)  # Product's lead
    assert client.get(edit).status_code == 403
    assert client.post(edit, form_data(intake)).status_code == 403
    client.force_login(tenant.manager.user)
    assert client.get(edit).status_code == 200
    assert RequestType.objects.count() == 1


def test_types_are_reordered_and_stopped(
    tenant: Tenant, intake: Intake, client, django_assert_num_queries
) -> None:
    second = request_type_create(
        actor=intake.lead,
        data=RequestTypeInput(
            team=intake.team, name="Dashboard", board=intake.board, column=intake.landing
        ),
        fields=[FieldInput(label="Which", kind=FieldKind.TEXT)],
    )
    client.force_login(intake.lead.user)
    move = reverse("intake:type_shift", args=["acme", second.pk])
    assert client.post(move, {"direction": "up"}).status_code == 302
    assert list(RequestType.objects.filter(team=intake.team).values_list("name", flat=True)) == [
        "Dashboard",
        "Data pull",
    ]
    stop = reverse("intake:type_accepting", args=["acme", intake.data_pull.pk])
    assert client.post(stop, {"accepting": "0"}).status_code == 302
    intake.data_pull.refresh_from_db()
    assert not intake.data_pull.accepting
    listing = reverse("intake:type_list", args=["acme"])
    client.get(listing)
    with django_assert_num_queries(5):  # session, memberships, teams, types, their questions
        page = client.get(listing)
    assert "Take requests again" in page.text
