"""An input converted once (`schema/core/inputs.py`) arrives in its resolver as strawberry's
own conversion would give it: the same values, defaults and nesting."""

from enum import Enum

import pytest
import strawberry
from strawberry.relay import GlobalID

from schema.core.inputs import converted_once


@strawberry.enum
class Mark(Enum):
    HERE = "HERE"
    AWAY = "AWAY"


def inputs(once: bool):
    hook = converted_once if once else (lambda cls: cls)

    @hook
    @strawberry.input(name=f"Entry{once}")
    class Entry:
        unit_id: strawberry.ID
        mark: Mark
        note: str | None = None
        tags: list[str] | None = None

    @hook
    @strawberry.input(name=f"Sheet{once}")
    class Sheet:
        activity_id: strawberry.ID
        entries: list[Entry]
        owner: GlobalID | None = None
        comment: str | None = strawberry.UNSET
        required_but_nullable: int | None

    return Sheet


def schema(once: bool) -> strawberry.Schema:
    sheet_type = inputs(once)

    @strawberry.type
    class Query:
        @strawberry.field
        def seen(self, sheet: sheet_type) -> str:  # type: ignore[valid-type]
            entries = [(type(e).__name__, e.unit_id, e.mark, e.note, e.tags) for e in sheet.entries]
            return repr(
                (
                    type(sheet).__name__,
                    sheet.activity_id,
                    entries,
                    sheet.owner,
                    sheet.comment,
                    sheet.required_but_nullable,
                )
            )

    return strawberry.Schema(query=Query)


@pytest.mark.parametrize(
    "sheet",
    # Each as a literal: variables arrive in the resolver's conversion the same way.
    [
        '{activityId: "a1", entries: [{unitId: "u1", mark: HERE}, {unitId: 7, mark: AWAY,'
        ' note: "late", tags: ["x", "y"]}], requiredButNullable: 3}',
        '{activityId: "a1", entries: [], owner: "VW5pdDox", comment: null,'
        " requiredButNullable: null}",
        '{activityId: "a1", entries: [{unitId: "u1", mark: HERE, note: null}]}',
    ],
    ids=["values-and-defaults", "a-global-id-and-nulls", "left-out"],
)
async def test_an_input_converted_once_is_what_strawberry_would_give(sheet):
    answers = []
    for once in (False, True):
        result = await schema(once).execute("{ seen(sheet: " + sheet + ") }")
        assert result.errors is None
        answers.append(result.data["seen"])

    assert answers[0] == answers[1]
