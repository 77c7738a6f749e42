"""The conference fee of a seminar (Art. 20), charged to every unit recorded as attending it
(出席), one invoice each: a project-wide seminar's through each unit's community (Art.
18(6): a community collects its fees), a community's through that community. A unit absent
or excused owes nothing; a unit in no community cannot be charged and is named back."""

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.core import ids
from server.clock import today
from server.communities.models import Community, Membership
from server.units.models import Unit
from server.vocabulary import MembershipRole, MembershipStatus
from tests.graphql import error_codes, gql, mutate, refusal
from tests.schema.fees.test_fees import THIS_YEAR, Ledger, lines
from tests.state import row_counts

SCHEDULE = """
mutation ($input: ScheduleActivityInput!) {
  scheduleActivity(input: $input) { activity { id } errors { code field message } }
}"""
RECORD = """
mutation ($input: RecordAttendanceInput!) {
  recordAttendance(input: $input) { errors { code field message } }
}"""
ATTENDEES = """
mutation ($input: IssueAttendeeInvoicesInput!) {
  issueAttendeeInvoices(input: $input) {
    invoices { number totalFen status unit { name } community { slug } lines { kind note } }
    uncharged { name }
    errors { code field message }
  }
}"""
DUE = (today() + dt.timedelta(days=30)).isoformat()


async def _seminar(client, ledger: Ledger, units: list[str], slug: str | None = None) -> str:
    """A seminar held yesterday expecting `units`: its global id."""
    given = {
        "kind": "SEMINAR",
        "title": "全国终身学习研讨会",
        "heldOn": (today() - dt.timedelta(days=1)).isoformat(),
        "expectedUnitIds": units,
    }
    if slug is not None:
        given["communitySlug"] = slug
    headers = ledger.project_group
    return (await mutate(client, SCHEDULE, {"input": given}, headers=headers))["activity"]["id"]


async def _attended(client, ledger: Ledger, activity: str, statuses: dict[str, str]) -> None:
    entries = [{"unitId": unit, "status": status} for unit, status in statuses.items()]
    given = {"input": {"activityId": activity, "entries": entries}}
    await mutate(client, RECORD, given, headers=ledger.project_group)


def _bill(activity: str, amount: int = 80000) -> dict:
    return {"input": {"activityId": activity, "lines": lines(amount), "dueOn": DUE}}


async def test_every_unit_that_attended_a_project_wide_seminar_is_charged_once(
    client, owner, ledger: Ledger
):
    a1, a2, b1 = ledger.a_units[1], ledger.a_units[2], ledger.b_units[1]
    # a2 also joined community b, before it joined a: it is charged through b.
    async with AsyncSession(owner) as session, session.begin():
        b = await _community_id(session, ledger.b)
        session.add(
            Membership(
                community_id=b,
                unit_id=ids.decode_as(a2, "Unit")[0],
                role=MembershipRole.MEMBER,
                status=MembershipStatus.ACTIVE,
                joined_on=dt.date(2025, 6, 1),
            )
        )
    absent = ledger.a_units[0]
    seminar = await _seminar(client, ledger, [a1, a2, b1, absent, ledger.loner])
    await _attended(
        client,
        ledger,
        seminar,
        {a1: "ATTENDED", a2: "ATTENDED", b1: "ATTENDED", absent: "EXCUSED"}
        | {ledger.loner: "ATTENDED"},
    )

    issued = await mutate(client, ATTENDEES, _bill(seminar), headers=ledger.project_group)

    charged = [(i["unit"]["name"], i["community"]["slug"]) for i in issued["invoices"]]
    names = ledger.a_unit_names
    assert charged == [
        (names[1], ledger.a),
        (names[2], ledger.b),
        (await _name(owner, b1), ledger.b),
    ]
    assert [i["number"] for i in issued["invoices"]] == [
        f"FY-{THIS_YEAR}-{n:06d}" for n in (1, 2, 3)
    ]
    assert {i["totalFen"] for i in issued["invoices"]} == {80000}
    assert {i["status"] for i in issued["invoices"]} == {"OPEN"}
    # The site that attended but belongs to no community is named back, not charged.
    assert issued["uncharged"] == [{"name": await _name(owner, ledger.loner)}]


async def test_a_community_seminar_charges_through_its_community(client, ledger: Ledger):
    a1, a2 = ledger.a_units[1], ledger.a_units[2]
    seminar = await _seminar(client, ledger, [a1, a2], slug=ledger.a)
    await _attended(client, ledger, seminar, {a1: "ATTENDED", a2: "ABSENT"})

    issued = await mutate(client, ATTENDEES, _bill(seminar), headers=ledger.project_group)

    assert [(i["unit"]["name"], i["community"]["slug"]) for i in issued["invoices"]] == [
        (ledger.a_unit_names[1], ledger.a)
    ]
    assert issued["uncharged"] == []


async def test_no_attendance_no_activity_or_no_right_charges_nobody(client, owner, ledger: Ledger):
    a1 = ledger.a_units[1]
    seminar = await _seminar(client, ledger, [a1])
    before = await row_counts(owner)

    unrecorded = await refusal(client, ATTENDEES, _bill(seminar), headers=ledger.project_group)
    unknown = await refusal(
        client,
        ATTENDEES,
        _bill(ids.encode("ProgrammeActivity", 10**9)),
        headers=ledger.project_group,
    )
    not_an_activity = await refusal(
        client, ATTENDEES, _bill(ledger.a_units[0]), headers=ledger.project_group
    )
    await _attended(client, ledger, seminar, {a1: "ATTENDED"})
    after_attendance = await row_counts(owner)
    negative = await refusal(client, ATTENDEES, _bill(seminar, -1), headers=ledger.project_group)
    by_leader = await gql(client, ATTENDEES, _bill(seminar), headers=ledger.leader)

    assert (unrecorded["code"], unrecorded["field"]) == ("INVALID_INPUT", "activityId")
    assert unknown["code"] == not_an_activity["code"] == "NOT_FOUND"
    assert negative["code"] == "INVALID_INPUT"
    assert error_codes(by_leader) == ["FORBIDDEN"]
    assert before["invoices"] == after_attendance["invoices"] == 0
    assert await row_counts(owner) == after_attendance


async def _community_id(session: AsyncSession, slug: str) -> int:
    return (await session.scalars(select(Community.id).where(Community.slug == slug))).one()


async def _name(owner, unit: str) -> str:
    async with AsyncSession(owner) as session:
        return (await session.get_one(Unit, ids.decode_as(unit, "Unit")[0])).name
