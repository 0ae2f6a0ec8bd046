"""Each rule on a hand-built matrix."""

from __future__ import annotations

from raci.rules import Context, ProblemKind, Role, card_problems

CONTEXT = Context(
    consulted_limit=2,
    accountable_limit=3,
    project_team_ids=frozenset({10, 11}),
    teams_of_user={1: frozenset({10}), 2: frozenset({11}), 3: frozenset({99})},
    accountable_counts={1: 2, 2: 4},
    names={1: "Ann", 2: "Bo", 3: "Cy"},
)


def kinds(*roles: Role, is_open: bool = True) -> list[ProblemKind]:
    return [p.kind for p in card_problems(roles, CONTEXT, is_open=is_open)]


def test_a_good_card_has_no_problems() -> None:
    assert (
        kinds(
            Role("R", team_id=10), Role("A", user_id=1), Role("C", team_id=11), Role("I", user_id=3)
        )
        == []
    )


def test_no_accountable() -> None:
    assert kinds(Role("R", user_id=1)) == [ProblemKind.NO_ACCOUNTABLE]


def test_two_accountable() -> None:
    problems = card_problems(
        [Role("R", user_id=1), Role("A", user_id=1), Role("A", team_id=10)], CONTEXT
    )
    assert problems[0].kind == ProblemKind.MANY_ACCOUNTABLE
    assert problems[0].message == "2 are Accountable: keep exactly one."


def test_nobody_responsible() -> None:
    assert kinds(Role("A", user_id=1)) == [ProblemKind.NO_RESPONSIBLE]


def test_too_many_consulted() -> None:
    roles = [
        Role("R", user_id=1),
        Role("A", user_id=1),
        *[Role("C", team_id=t) for t in (10, 11, 12)],
    ]
    problems = card_problems(roles, CONTEXT)
    assert [p.kind for p in problems] == [ProblemKind.TOO_MANY_CONSULTED]
    assert problems[0].message == "3 are Consulted, more than 2: decisions will be slow."
    assert not problems[0].is_error


def test_accountable_outside_the_projects_teams() -> None:
    assert kinds(Role("R", user_id=1), Role("A", user_id=3)) == [ProblemKind.ACCOUNTABLE_OUTSIDE]
    assert kinds(Role("R", user_id=1), Role("A", team_id=12)) == [ProblemKind.ACCOUNTABLE_OUTSIDE]


def test_overloaded_accountable_on_open_cards_only() -> None:
    problems = card_problems([Role("R", user_id=1), Role("A", user_id=2)], CONTEXT)
    assert [p.kind for p in problems] == [ProblemKind.ACCOUNTABLE_OVERLOADED]
    assert problems[0].message == "Bo is Accountable for 4 open cards, more than 3."
    assert kinds(Role("R", user_id=1), Role("A", user_id=2), is_open=False) == []


def test_the_first_three_kinds_are_errors_the_others_warnings() -> None:
    assert [kind for kind in ProblemKind if kind.is_error] == [
        ProblemKind.NO_ACCOUNTABLE,
        ProblemKind.MANY_ACCOUNTABLE,
        ProblemKind.NO_RESPONSIBLE,
    ]
    problems = card_problems([Role("R", user_id=1), Role("A", user_id=3)], CONTEXT)
    assert [(p.kind, p.is_error) for p in problems] == [(ProblemKind.ACCOUNTABLE_OUTSIDE, False)]
