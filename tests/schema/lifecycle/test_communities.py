"""Forming and running communities (Art. 9-15): the refusals, the race, the history kept."""

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select, update

from schema.core import ids
from server.access.guard import Actor, Guard
from server.clock import today
from server.communities.models import Community, Membership
from server.communities.rules import cycle_end_for
from server.communities.service import add_member
from server.units.models import Unit
from server.vocabulary import Level, MembershipRole, MembershipStatus, SiteStatus
from tests.eventually import eventually
from tests.factories import bearer, make_community, make_units, make_user
from tests.graphql import gql, mutate, refusal
from tests.schema.lifecycle.operations import (
    ADD_MEMBER,
    CHANGE_ROLE,
    CREATE_COMMUNITY,
    LEAVE_COMMUNITY,
    RENEW,
    WITHDRAW_SITE,
)
from tests.server.compliance.helpers import found_on
from tests.state import row_counts, waiting_on_a_lock


@pytest.fixture
async def pg(runtime) -> dict[str, str]:
    _, token = await make_user(runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    return bearer(token)


def unit_id(unit) -> str:
    return ids.encode("Unit", unit.id)


def community_input(units, **changes) -> dict:
    spec = {
        "slug": "new-community",
        "name": "新共同体",
        "region": "YANGTZE_RIVER_DELTA",
        "level": "COUNTY",
        "themes": ["ELDERLY_EDUCATION"],
        "cycleStart": "2026-01-01",
        "leaderUnitId": unit_id(units[0]),
        "deputyUnitIds": [],
        "memberUnitIds": [unit_id(u) for u in units[1:]],
    }
    return {"input": {**spec, **changes}}


async def test_a_community_of_three_to_fifteen_sites_is_formed(client, runtime, pg):
    units = await make_units(runtime, 15)

    formed = await mutate(
        client,
        CREATE_COMMUNITY,
        community_input(
            units, deputyUnitIds=[unit_id(units[1])], memberUnitIds=[unit_id(u) for u in units[2:]]
        ),
        headers=pg,
    )

    assert formed["community"]["memberCount"] == 15
    assert formed["community"]["cycleEnd"] == "2028-12-31"  # a 3-year cycle (Art. 15)


@pytest.mark.parametrize(
    ("size", "code"), [(2, "COMMUNITY_TOO_SMALL"), (16, "COMMUNITY_FULL")], ids=["2", "16"]
)
async def test_a_community_outside_three_to_fifteen_is_refused(
    client, runtime, pg, owner, size, code
):
    units = await make_units(runtime, size)
    before = await row_counts(owner)

    error = await refusal(client, CREATE_COMMUNITY, community_input(units), headers=pg)

    assert error["code"] == code
    assert await row_counts(owner) == before


async def test_the_leader_unit_cannot_also_be_a_member(client, runtime, pg, owner):
    units = await make_units(runtime, 4)
    before = await row_counts(owner)

    error = await refusal(
        client,
        CREATE_COMMUNITY,
        community_input(units, memberUnitIds=[unit_id(u) for u in units]),
        headers=pg,
    )

    assert error["code"] == "LEADER_REQUIRED"
    assert await row_counts(owner) == before


async def test_a_unit_that_is_not_an_active_site_cannot_join(client, runtime, pg, owner):
    units = await make_units(runtime, 4)
    async with runtime.database.transaction() as session:
        await session.execute(
            update(Unit).where(Unit.id == units[3].id).values(site_status=SiteStatus.WITHDRAWN)
        )
    before = await row_counts(owner)

    error = await refusal(client, CREATE_COMMUNITY, community_input(units), headers=pg)

    assert error["code"] == "NOT_ACTIVE_SITE"
    assert units[3].name in error["message"]
    assert await row_counts(owner) == before


async def test_a_unit_of_another_level_needs_a_written_reason(client, runtime, pg, owner):
    units = [*await make_units(runtime, 3), *await make_units(runtime, 1, level=Level.TOWNSHIP)]
    before = await row_counts(owner)

    error = await refusal(client, CREATE_COMMUNITY, community_input(units), headers=pg)
    assert (error["code"], error["field"]) == ("LEVEL_MISMATCH", "mixedLevelReason")
    assert await row_counts(owner) == before

    reasoned = community_input(units, mixedLevelReason="该街道社区学校承担区级老年大学分校")
    formed = await mutate(client, CREATE_COMMUNITY, reasoned, headers=pg)
    assert formed["community"]["memberCount"] == 4


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"slug": "Not A Slug"}, "slug"),
        ({"themes": []}, "themes"),
        ({"agreementSignedOn": "2030-01-01"}, "agreementSignedOn"),
    ],
    ids=["slug", "themes", "agreement-after-cycle"],
)
async def test_malformed_community_input_is_refused(client, runtime, pg, owner, changes, field):
    units = await make_units(runtime, 3)
    before = await row_counts(owner)

    error = await refusal(client, CREATE_COMMUNITY, community_input(units, **changes), headers=pg)

    assert (error["code"], error["field"]) == ("INVALID_INPUT", field)
    assert await row_counts(owner) == before


async def test_a_slug_is_taken_once(client, runtime, pg, owner):
    await make_community(runtime, "new-community")
    units = await make_units(runtime, 3)
    before = await row_counts(owner)

    error = await refusal(client, CREATE_COMMUNITY, community_input(units), headers=pg)

    assert (error["code"], error["field"]) == ("DUPLICATE", "slug")
    assert await row_counts(owner) == before


async def test_two_concurrent_additions_to_a_community_of_fourteen_make_fifteen(
    client, runtime, owner
):
    """The first addition's transaction is still open when the second request arrives: the
    second must wait for it and then see fifteen, never count fourteen beside it."""
    community, _ = await make_community(runtime, "almost-full", size=14)
    leader, token = await make_user(runtime, "leader@example.cn", ("LEADER", community.id))
    first, second = await make_units(runtime, 2)
    guard = Guard(runtime.policy, Actor(leader.id, None))

    async with runtime.database.transaction(community.id) as session:
        await add_member(session, guard, community.id, first.id, MembershipRole.MEMBER)
        racing = asyncio.create_task(
            gql(
                client,
                ADD_MEMBER,
                {
                    "input": {
                        "communitySlug": "almost-full",
                        "unitId": unit_id(second),
                        "role": "MEMBER",
                    }
                },
                headers=bearer(token),
            )
        )
        # The second request has reached the database and waits for this transaction.
        await eventually(lambda: waiting_on_a_lock(owner), what="the second request waiting")
    answer = await racing

    assert [e["code"] for e in answer["data"]["addMember"]["errors"]] == ["COMMUNITY_FULL"]
    count = await gql(client, '{ community(slug: "almost-full") { memberCount } }')
    assert count["data"]["community"]["memberCount"] == 15


async def test_adding_a_unit_already_in_or_as_leader_is_refused(client, runtime, pg, owner):
    _, units = await make_community(runtime, "yrd", size=3)
    outsider = (await make_units(runtime, 1))[0]
    before = await row_counts(owner)

    again = await refusal(
        client,
        ADD_MEMBER,
        {"input": {"communitySlug": "yrd", "unitId": unit_id(units[1]), "role": "DEPUTY"}},
        headers=pg,
    )
    as_leader = await refusal(
        client,
        ADD_MEMBER,
        {"input": {"communitySlug": "yrd", "unitId": unit_id(outsider), "role": "LEADER"}},
        headers=pg,
    )

    assert again["code"] == "ALREADY_MEMBER"
    assert as_leader["code"] == "INVALID_TRANSITION"
    assert await row_counts(owner) == before


async def test_a_unit_leaves_in_writing_and_its_history_stays(client, runtime):
    _, units = await make_community(runtime, "yrd", size=4)
    _, staff = await make_user(runtime, "staff@example.cn", unit_id=units[2].id)

    left = await mutate(
        client,
        LEAVE_COMMUNITY,
        {"input": {"communitySlug": "yrd", "unitId": unit_id(units[2]), "reason": "机构调整"}},
        headers=bearer(staff),
    )

    assert left["membership"]["status"] == "WITHDRAWN"
    assert left["membership"]["leftOn"] == today().isoformat()
    query = "{ exits { edges { node { scope kind reason unit { name } } } } }"
    public = await gql(client, query)
    own = await gql(client, query, headers=bearer(staff))
    assert [e["node"] for e in public["data"]["exits"]["edges"]] == [
        {
            "scope": "COMMUNITY",
            "kind": "WITHDRAWN",
            "reason": None,  # the list is public, the reason only its readers'
            "unit": {"name": units[2].name},
        }
    ]
    assert [e["node"]["reason"] for e in own["data"]["exits"]["edges"]] == ["机构调整"]
    listing = await gql(client, '{ community(slug: "yrd") { memberCount members { totalCount } } }')
    assert listing["data"]["community"] == {"memberCount": 3, "members": {"totalCount": 4}}


async def test_the_leader_unit_hands_over_before_it_leaves(client, runtime, pg, owner):
    _, units = await make_community(runtime, "yrd", size=4)
    before = await row_counts(owner)

    leaving = await refusal(
        client,
        LEAVE_COMMUNITY,
        {"input": {"communitySlug": "yrd", "unitId": unit_id(units[0]), "reason": "不再牵头"}},
        headers=pg,
    )
    demoted = await refusal(
        client,
        CHANGE_ROLE,
        {"input": {"communitySlug": "yrd", "unitId": unit_id(units[0]), "role": "MEMBER"}},
        headers=pg,
    )
    assert leaving["code"] == demoted["code"] == "LEADER_REQUIRED"
    assert await row_counts(owner) == before

    handed = await mutate(
        client,
        CHANGE_ROLE,
        {"input": {"communitySlug": "yrd", "unitId": unit_id(units[1]), "role": "LEADER"}},
        headers=pg,
    )
    assert {(m["unit"]["id"], m["role"]) for m in handed["memberships"]} == {
        (unit_id(units[1]), "LEADER"),
        (unit_id(units[0]), "DEPUTY"),
    }
    office = await gql(client, '{ community(slug: "yrd") { officeUnit { name } } }')
    assert office["data"]["community"]["officeUnit"]["name"] == units[1].name


async def test_a_role_that_does_not_change_is_refused(client, runtime, pg, owner):
    _, units = await make_community(runtime, "yrd", size=3)
    before = await row_counts(owner)

    error = await refusal(
        client,
        CHANGE_ROLE,
        {"input": {"communitySlug": "yrd", "unitId": unit_id(units[1]), "role": "MEMBER"}},
        headers=pg,
    )

    assert error["code"] == "INVALID_TRANSITION"
    assert await row_counts(owner) == before


async def test_a_cycle_renews_only_near_its_end(client, runtime, pg, owner):
    now = today()
    await make_community(runtime, "young", cycle_start=now - dt.timedelta(days=30))
    ending_start = now.replace(year=now.year - 3) + dt.timedelta(days=30)
    await make_community(runtime, "ending", cycle_start=ending_start)
    before = await row_counts(owner)

    early = await refusal(client, RENEW, {"input": {"communitySlug": "young"}}, headers=pg)
    assert early["code"] == "INVALID_TRANSITION"
    assert await row_counts(owner) == before

    renewed = await mutate(client, RENEW, {"input": {"communitySlug": "ending"}}, headers=pg)
    new_start = cycle_end_for(ending_start) + dt.timedelta(days=1)
    assert renewed["community"] == {
        "cycleStart": new_start.isoformat(),
        "cycleEnd": cycle_end_for(new_start).isoformat(),
    }


async def test_a_site_withdraws_from_the_programme_and_all_its_communities(client, runtime, owner):
    _, units = await make_community(runtime, "first", size=4)
    second, _ = await make_community(runtime, "second", size=3)
    async with runtime.database.transaction(second.id) as session:
        session.add(
            Membership(
                community_id=second.id,
                unit_id=units[3].id,
                role=MembershipRole.MEMBER,
                status=MembershipStatus.ACTIVE,
                joined_on=dt.date(2026, 1, 1),
            )
        )
    _, staff = await make_user(runtime, "staff@example.cn", unit_id=units[3].id)
    request = {"input": {"unitId": unit_id(units[3]), "reason": "本单位撤并"}}

    withdrawn = await mutate(client, WITHDRAW_SITE, request, headers=bearer(staff))

    assert withdrawn["unit"]["siteStatus"] == "WITHDRAWN"
    for slug, count in (("first", 3), ("second", 3)):
        page = await gql(client, f'{{ community(slug: "{slug}") {{ memberCount }} }}')
        assert page["data"]["community"]["memberCount"] == count
    exits = await gql(
        client, "{ exits(scope: PROGRAMME) { edges { node { kind community { slug } } } } }"
    )
    assert [e["node"] for e in exits["data"]["exits"]["edges"]] == [
        {"kind": "WITHDRAWN", "community": None}
    ]
    before = await row_counts(owner)
    again = await refusal(client, WITHDRAW_SITE, request, headers=bearer(staff))
    assert again["code"] == "INVALID_TRANSITION"
    assert await row_counts(owner) == before


async def test_leaving_needs_a_written_reason(client, runtime, owner):
    _, units = await make_community(runtime, "yrd", size=4)
    _, staff = await make_user(runtime, "staff@example.cn", unit_id=units[2].id)
    before = await row_counts(owner)

    leaving = await refusal(
        client,
        LEAVE_COMMUNITY,
        {"input": {"communitySlug": "yrd", "unitId": unit_id(units[2]), "reason": "  "}},
        headers=bearer(staff),
    )
    withdrawing = await refusal(
        client,
        WITHDRAW_SITE,
        {"input": {"unitId": unit_id(units[2]), "reason": ""}},
        headers=bearer(staff),
    )

    for refused in (leaving, withdrawing):
        assert (refused["code"], refused["field"]) == ("INVALID_INPUT", "reason")
    assert await row_counts(owner) == before


async def test_another_units_staff_cannot_withdraw_a_site(client, runtime, owner):
    units = await make_units(runtime, 2)
    _, staff = await make_user(runtime, "staff@example.cn", unit_id=units[0].id)
    before = await row_counts(owner)

    body = await gql(
        client,
        WITHDRAW_SITE,
        {"input": {"unitId": unit_id(units[1]), "reason": "恶意"}},
        headers=bearer(staff),
    )

    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await row_counts(owner) == before


@pytest.mark.parametrize("size", [3, 15])
async def test_a_community_of_3_or_15_units_is_formed(client, runtime, pg, size):
    units = await make_units(runtime, size)

    formed = await mutate(client, CREATE_COMMUNITY, community_input(units), headers=pg)

    assert formed["community"]["memberCount"] == size


@pytest.mark.parametrize(("before", "code"), [(14, None), (15, "COMMUNITY_FULL")])
async def test_a_unit_joins_a_community_of_14_not_one_of_15(
    client, runtime, pg, owner, before, code
):
    await make_community(runtime, "yrd", size=before)
    (newcomer,) = await make_units(runtime, 1)
    counts = await row_counts(owner)
    added = {"input": {"communitySlug": "yrd", "unitId": unit_id(newcomer), "role": "MEMBER"}}

    if code:
        assert (await refusal(client, ADD_MEMBER, added, headers=pg))["code"] == code
        assert await row_counts(owner) == counts
    else:
        await mutate(client, ADD_MEMBER, added, headers=pg)
    count = await gql(client, '{ community(slug: "yrd") { memberCount } }')
    assert count["data"]["community"]["memberCount"] == (before if code else 15)


@pytest.mark.parametrize("reason", ["", "   ", "\u3000\n"], ids=["empty", "spaces", "ideographic"])
async def test_a_blank_reason_is_no_reason_on_forming(client, runtime, pg, owner, reason):
    units = [*await make_units(runtime, 3), *await make_units(runtime, 1, level=Level.TOWNSHIP)]
    before = await row_counts(owner)

    error = await refusal(
        client, CREATE_COMMUNITY, community_input(units, mixedLevelReason=reason), headers=pg
    )

    assert (error["code"], error["field"]) == ("LEVEL_MISMATCH", "mixedLevelReason")
    assert await row_counts(owner) == before


@pytest.mark.parametrize("reason", ["", "   ", "\u3000\n"], ids=["empty", "spaces", "ideographic"])
async def test_a_blank_reason_is_no_reason_on_adding(client, runtime, pg, owner, reason):
    await make_community(runtime, "yrd", size=3)
    (township,) = await make_units(runtime, 1, level=Level.TOWNSHIP)
    before = await row_counts(owner)
    added = {"communitySlug": "yrd", "unitId": unit_id(township), "role": "MEMBER"}

    error = await refusal(
        client, ADD_MEMBER, {"input": {**added, "mixedLevelReason": reason}}, headers=pg
    )

    assert (error["code"], error["field"]) == ("LEVEL_MISMATCH", "mixedLevelReason")
    assert await row_counts(owner) == before


async def test_the_reason_given_on_adding_a_unit_of_another_level_is_kept(client, runtime, pg):
    """The same-level audit (Art. 10) looks for the written reason: one given when the unit
    joined must be on record, or the audit warns about a unit the mutation accepted."""
    community, _ = await make_community(runtime, "yrd", size=3)
    (township,) = await make_units(runtime, 1, level=Level.TOWNSHIP)
    reason = "该街道社区学校承担区级老年大学分校"

    await mutate(
        client,
        ADD_MEMBER,
        {
            "input": {
                "communitySlug": "yrd",
                "unitId": unit_id(township),
                "role": "MEMBER",
                "mixedLevelReason": f"  {reason} ",
            }
        },
        headers=pg,
    )

    found = await found_on(runtime, community, today())
    assert [f.subject for f in found if f.rule == "same-level"] == []
    async with runtime.database.transaction(community.id) as session:
        kept = await session.scalar(
            select(Community.mixed_level_reason).where(Community.id == community.id)
        )
    assert kept == reason


@pytest.mark.parametrize(("days_left", "renews"), [(91, False), (90, True)])
async def test_a_cycle_renews_from_90_days_before_its_end(
    client, runtime, pg, owner, days_left, renews
):
    community, _ = await make_community(runtime, "yrd", cycle_start=today())
    end = today() + dt.timedelta(days=days_left)
    async with runtime.database.transaction(all_communities=True) as session:
        await session.execute(
            update(Community).where(Community.id == community.id).values(cycle_end=end)
        )
    before = await row_counts(owner)

    if renews:
        renewed = await mutate(client, RENEW, {"input": {"communitySlug": "yrd"}}, headers=pg)
        start = end + dt.timedelta(days=1)
        assert renewed["community"]["cycleStart"] == start.isoformat()
    else:
        error = await refusal(client, RENEW, {"input": {"communitySlug": "yrd"}}, headers=pg)
        assert error["code"] == "INVALID_TRANSITION"
        assert await row_counts(owner) == before
