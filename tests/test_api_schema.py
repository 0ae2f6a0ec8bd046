"""The OpenAPI schema tells the truth: real answers of every endpoint, successes and
refusals, match what it documents for their status code."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from jsonschema import Draft7Validator

from intake.models import Rating
from intake.services import request_submit
from kanban.services import CardInput, attachment_add, card_create
from metrics.computations import period_start
from metrics.models import Frequency, Kpi, Measurement, Retrospective, Source
from opsboard.accounts.services import api_key_create
from tests.conftest import RaciSetup, Tenant
from tests.factories import CheckInFactory, GoalFactory
from tests.intake.requesting import make_intake
from tests.kanban.files import png

NOT_OBJECTS = ["[]", '"x"', "1", "null"]
# Writes that change only the person's own view of things, which viewers may make too:
# following a card, or stopping.
PERSONAL_WRITES = {
    "v1_organizations_cards_follow_create",
    "v1_organizations_cards_follow_destroy",
}


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable`` as JSON Schema says it."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return _json_schema(json.loads(OpenApiJsonRenderer().render(generated)))


@pytest.fixture
def ids(tenant: Tenant, raci: RaciSetup) -> dict[str, Any]:
    """One object for each path parameter, with the empty values a schema must allow:
    an unassigned card, a measurement recorded by the nightly job (by nobody)."""
    card = raci.cards[0]
    card_create(
        actor=tenant.lead,
        board=raci.board,
        data=CardInput(title="Assigned", assignee=tenant.member.user),
    )
    goal = GoalFactory(organization=tenant.organization, project=raci.project)
    CheckInFactory(goal=goal, checked_on=timezone.localdate())
    week = period_start(Frequency.WEEKLY, timezone.localdate())
    kpi = Kpi.objects.create(
        organization=tenant.organization, name="Churn", source=Source.MANUAL,
        target=17, amber_threshold=18, red_threshold=19,
    )  # fmt: skip
    Measurement.objects.create(kpi=kpi, period_start=week - timedelta(weeks=1), value=Decimal(18))
    Measurement.objects.create(
        kpi=kpi, period_start=week, value=Decimal(19), recorded_by=tenant.member.user
    )
    retrospective = Retrospective.objects.create(
        organization=tenant.organization,
        project=raci.project,
        month=timezone.localdate().replace(day=1),
    )
    (attachment,) = attachment_add(actor=tenant.member, card=card, files=[png()])
    requests = make_intake(tenant)
    sent = request_submit(
        actor=tenant.member,
        request_type=requests.data_pull,
        title="Churned users",
        answers={requests.key("Which data"): "Cancellations", requests.key("Format"): "CSV"},
    )
    Rating.objects.create(request=sent, rated_by=tenant.member.user, score=4)
    return {
        "org_slug": "acme",
        "type_id": requests.data_pull.pk,
        "request_id": sent.pk,
        "attachment_id": attachment.pk,
        "board_id": raci.board.pk,
        "card_id": card.pk,
        "column_id": raci.board.columns.first().pk,
        "goal_id": goal.pk,
        "kpi_id": kpi.pk,
        "membership_id": tenant.member.pk,
        "project_id": raci.project.pk,
        "retro_id": retrospective.pk,
        "team_id": tenant.team.pk,
    }


def operations(schema: dict[str, Any], methods: set[str]) -> list[tuple[str, str, dict]]:
    return [
        (path, method, operation)
        for path, by_method in schema["paths"].items()
        for method, operation in by_method.items()
        if method in methods
    ]


def check(schema: dict[str, Any], operation: dict[str, Any], response) -> None:
    """The answer's status is documented, and its body matches the documented schema."""
    documented = operation["responses"].get(str(response.status_code))
    assert documented, f"{operation['operationId']}: {response.status_code} is not documented"
    content = documented.get("content")
    if content is None:
        assert not response.content, operation["operationId"]
        return
    if "application/json" not in content:
        # A file's bytes (an attachment's content), documented as binary of its own type.
        assert response["Content-Type"] != "application/json", operation["operationId"]
        assert any(
            schema_.get("schema", {}).get("format") == "binary" for schema_ in content.values()
        )
        return
    body_schema = {**content["application/json"]["schema"], "components": schema["components"]}
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in Draft7Validator(
            body_schema, format_checker=Draft7Validator.FORMAT_CHECKER
        ).iter_errors(response.json())
    ]
    assert not errors, (operation["operationId"], response.status_code, errors[:5])


def test_every_read_answers_as_documented(schema, ids, tenant: Tenant, client) -> None:
    client.force_login(tenant.owner.user)
    week = period_start(Frequency.WEEKLY, timezone.localdate())
    query = {
        "from": (week - timedelta(weeks=2)).isoformat(),
        "to": week.isoformat(),
        # The working calendar's range: across a year the package does not know.
        "start": "2026-12-01",
        "end": "2027-01-31",
    }
    for path, _method, operation in operations(schema, {"get"}):
        response = client.get(path.format(**ids), query)
        assert response.status_code in (200, 204), (path, response.content[:300])
        check(schema, operation, response)


def test_a_body_that_is_not_an_object_is_refused_on_every_write(
    schema, ids, tenant: Tenant, client
) -> None:
    client.force_login(tenant.owner.user)
    writes = [op for op in operations(schema, {"post", "put", "patch"}) if "requestBody" in op[2]]
    assert len(writes) >= 15
    for path, method, operation in writes:
        for body in NOT_OBJECTS:
            response = getattr(client, method)(
                path.format(**ids), body, content_type="application/json"
            )
            assert response.status_code == 400, (method, path, body, response.status_code)
            assert response.json() == {
                "detail": 'The body must be a JSON object, such as {"title": "..."}.'
            }
            check(schema, operation, response)


def test_refusals_answer_as_documented(
    schema, ids, tenant: Tenant, other_tenant: Tenant, client
) -> None:
    every = operations(schema, {"get", "post", "put", "patch", "delete"})
    for path, method, operation in every:
        response = getattr(client, method)(path.format(**ids), {}, content_type="application/json")
        assert response.status_code == 401, (method, path, response.status_code)
        assert response["WWW-Authenticate"] == "Token"
        check(schema, operation, response)

    headers = {"Authorization": f"Token {api_key_create(user=tenant.viewer.user)}"}
    for path, method, operation in every:
        if method == "get" or operation["operationId"] in PERSONAL_WRITES:
            continue
        response = getattr(client, method)(
            path.format(**ids), {}, content_type="application/json", headers=headers
        )
        assert response.status_code == 403, (method, path, response.status_code)
        check(schema, operation, response)

    for path, method, operation in every:
        if "{" not in path:
            continue
        response = getattr(client, method)(
            path.format(**{**ids, "org_slug": "rival"}),
            {},
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code == 404, (method, path, response.status_code)
        check(schema, operation, response)


# A KPI's values over the periods asked for (`from`, `to`, at most 260): a chart's data,
# computed per period, not a collection to page through.
UNPAGED_LISTS = {"v1_organizations_kpis_series_list"}


def test_every_list_comes_a_page_at_a_time(schema) -> None:
    lists = 0
    for path, _method, operation in operations(schema, {"get"}):
        content = operation["responses"]["200"]["content"]
        if "application/json" not in content:
            continue  # a file's bytes
        answer = content["application/json"]["schema"]
        if operation["operationId"] in UNPAGED_LISTS:
            assert answer["type"] == "array", path
            continue
        assert answer.get("type") != "array", f"{path}: a list without pages"
        if not answer.get("$ref", "").startswith("#/components/schemas/Paginated"):
            continue
        lists += 1
        page = schema["components"]["schemas"][answer["$ref"].rsplit("/", 1)[1]]
        assert {"count", "next", "previous", "results"} <= set(page["properties"]), path
        query = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
        assert {"page", "page_size"} <= query, path
    assert lists >= 13


def test_a_wrong_filter_or_page_answers_as_documented(schema, ids, tenant: Tenant, client) -> None:
    client.force_login(tenant.member.user)
    paths = {
        operation["operationId"]: (path, operation)
        for path, _m, operation in operations(schema, {"get"})
    }
    for operation_id, query, code in (
        ("v1_organizations_boards_cards_list", {"due": "someday"}, 400),
        ("v1_organizations_projects_list", {"owner": "nobody@example.test"}, 400),
        ("v1_organizations_goals_list", {"state": "finished"}, 400),
        ("v1_organizations_list", {"page": 9}, 404),
        ("v1_organizations_teams_list", {"page": "x"}, 404),
    ):
        path, operation = paths[operation_id]
        response = client.get(path.format(**ids), query)
        assert response.status_code == code, (operation_id, response.content[:300])
        check(schema, operation, response)
