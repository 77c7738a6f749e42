"""Recognitions (Art. 6(5)) as the project group grants them: a demonstration community, a
featured unit, national brands (3-5 a year: a sixth is refused, also when two grants race),
a recognition revoked when granted in error. Two communities, so that the certificate's
holders and outsiders are told apart."""

import asyncio
import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from schema.core import ids
from server.audit.models import AuditEntry
from server.clock import today
from server.compliance.checks import check_programme
from server.compliance.facts import programme_facts
from tests.factories import bearer, make_community, make_units, make_user
from tests.graphql import error_codes, gql, mutate, refusal
from tests.state import row_counts

FIELDS = (
    "id kind kindLabel year prize prizeLabel number holderName citation grantedOn revokedAt "
    "certificateUrl verificationUrl community { slug } unit { name }"
)
GRANT = f"""
mutation ($input: GrantRecognitionInput!) {{
  grantRecognition(input: $input) {{ recognition {{ {FIELDS} }} errors {{ code field message }} }}
}}"""
REVOKE = f"""
mutation ($input: RevokeRecognitionInput!) {{
  revokeRecognition(input: $input) {{ recognition {{ {FIELDS} }} errors {{ code field message }} }}
}}"""
CERTIFICATE = f"""
query ($number: String!) {{ certificate(number: $number) {{ {FIELDS} }} }}"""
LISTED = """
query ($year: Int, $kind: RecognitionKind) {
  recognitions(year: $year, kind: $kind, newestFirst: true) {
    totalCount edges { node { number kind holderName revokedAt } }
  }
}"""
HONOURS = """
query ($slug: String!) {
  community(slug: $slug) { recognitions { totalCount edges { node { number kindLabel } } } }
}"""
THIS_YEAR = today().year


@dataclass
class Programme:
    a: str
    b: str
    a_name: str
    units: list[str]  # five active sites in no community
    unit_names: list[str]
    a_unit: str  # A's leader unit
    leader: dict[str, str]
    deputy: dict[str, str]
    member: dict[str, str]
    other_leader: dict[str, str]
    staff: dict[str, str]  # on the staff of units[0]
    project_group: dict[str, str]


@pytest.fixture
async def programme(runtime) -> Programme:
    # Its cycle began last year: the programme has a year over to audit.
    a, a_units = await make_community(
        runtime,
        "yrd-honours-a",
        name="长三角社区老年教育共同体",
        cycle_start=dt.date(THIS_YEAR - 1, 1, 1),
    )
    b, _ = await make_community(runtime, "yrd-honours-b")
    sites = await make_units(runtime, 7)
    _, leader = await make_user(runtime, "leader-a@example.cn", ("LEADER", a.id))
    _, deputy = await make_user(runtime, "deputy-a@example.cn", ("DEPUTY", a.id))
    _, member = await make_user(runtime, "member-a@example.cn", ("MEMBER", a.id))
    _, other = await make_user(runtime, "leader-b@example.cn", ("LEADER", b.id))
    _, staff = await make_user(runtime, "staff@example.cn", unit_id=sites[0].id)
    _, admin = await make_user(runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    return Programme(
        a.slug,
        b.slug,
        a.name,
        [ids.encode("Unit", u.id) for u in sites],
        [u.name for u in sites],
        ids.encode("Unit", a_units[0].id),
        bearer(leader),
        bearer(deputy),
        bearer(member),
        bearer(other),
        bearer(staff),
        bearer(admin),
    )


def grant(**fields) -> dict:
    return {"input": {"year": THIS_YEAR, **fields}}


async def test_the_project_group_grants_a_model_community_and_its_certificate_is_numbered(
    client, runtime, programme
):
    p = programme
    first = (
        await mutate(
            client,
            GRANT,
            grant(kind="MODEL_COMMUNITY", communitySlug=p.a, citation="协同推进老年教育成效显著"),
            headers=p.project_group,
        )
    )["recognition"]
    second = (
        await mutate(
            client, GRANT, grant(kind="FEATURED_UNIT", unitId=p.units[0]), headers=p.project_group
        )
    )["recognition"]

    assert first["holderName"] == "长三角社区老年教育共同体"
    assert first["kindLabel"] == "示范共同体"
    assert first["community"] == {"slug": p.a}
    assert first["number"] == f"GX-{THIS_YEAR}-0001"
    assert first["certificateUrl"] == f"/certificates/GX-{THIS_YEAR}-0001.pdf"
    assert first["verificationUrl"].endswith(f"/verify/GX-{THIS_YEAR}-0001")
    assert first["grantedOn"] == today().isoformat()
    assert first["prize"] is None and first["revokedAt"] is None
    assert second["number"] == f"GX-{THIS_YEAR}-0002"
    assert second["unit"] == {"name": p.unit_names[0]} and second["community"] is None
    assert second["kindLabel"] == "项目特色单位"
    async with runtime.database.transaction(all_communities=True) as session:
        actions = (
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.target_type == "Recognition")
            )
        ).all()
    assert sorted(actions) == ["recognition.grant", "recognition.grant"]

    # Anyone verifies it by its number; the community's sub-platform lists it.
    verified = (await gql(client, CERTIFICATE, {"number": first["number"]}))["data"]
    assert verified["certificate"]["holderName"] == "长三角社区老年教育共同体"
    assert verified["certificate"]["certificateUrl"] is None  # anonymous: no PDF
    honours = (await gql(client, HONOURS, {"slug": p.a}))["data"]["community"]["recognitions"]
    assert [n["node"]["kindLabel"] for n in honours["edges"]] == ["示范共同体"]


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"kind": "MODEL_COMMUNITY", "unitId": "UNIT"}, "INVALID_INPUT", "unitId"),
        ({"kind": "MODEL_UNIT", "communitySlug": "A"}, "INVALID_INPUT", "communitySlug"),
        ({"kind": "MODEL_UNIT"}, "INVALID_INPUT", "unitId"),
        ({"kind": "FEATURED_UNIT", "unitId": "UNIT", "prize": "FIRST"}, "INVALID_INPUT", "prize"),
        (
            {"kind": "NATIONAL_BRAND", "unitId": "UNIT", "communitySlug": "A"},
            "INVALID_INPUT",
            "unitId",
        ),
        ({"kind": "HONOUR_CERTIFICATE"}, "INVALID_INPUT", "communitySlug"),
        (
            {"kind": "MODEL_UNIT", "unitId": "UNIT", "holderName": "张三"},
            "INVALID_INPUT",
            "holderName",
        ),
        ({"kind": "ACHIEVEMENT_AWARD", "prize": "FIRST"}, "INVALID_INPUT", "achievementId"),
        (
            {"kind": "ACHIEVEMENT_AWARD", "communitySlug": "A", "prize": "FIRST"},
            "INVALID_INPUT",
            "communitySlug",
        ),
        # Achievements are not kept yet: any id names nothing.
        (
            {"kind": "ACHIEVEMENT_AWARD", "achievementId": "ACHIEVEMENT", "prize": "FIRST"},
            "NOT_FOUND",
            "achievementId",
        ),
        ({"kind": "MODEL_UNIT", "unitId": "UNIT", "year": THIS_YEAR + 1}, "INVALID_INPUT", "year"),
        ({"kind": "MODEL_UNIT", "unitId": "UNIT", "year": 1999}, "INVALID_INPUT", "year"),
    ],
)
async def test_a_grant_names_exactly_one_holder_of_its_kind_or_nothing_changes(
    client, owner, programme, fields, code, field
):
    p = programme
    named = {
        k: {"UNIT": p.units[1], "A": p.a, "ACHIEVEMENT": ids.encode("Achievement", 1, 1)}.get(v, v)
        for k, v in fields.items()
    }
    before = await row_counts(owner)

    error = await refusal(client, GRANT, grant(**named), headers=p.project_group)

    assert (error["code"], error["field"]) == (code, field), error
    assert await row_counts(owner) == before


async def test_the_same_holder_gets_a_kind_once_a_year_until_it_is_revoked(client, programme):
    p = programme
    given = grant(kind="MODEL_COMMUNITY", communitySlug=p.a)
    first = (await mutate(client, GRANT, given, headers=p.project_group))["recognition"]

    twice = await refusal(client, GRANT, given, headers=p.project_group)
    last_year = await mutate(
        client,
        GRANT,
        grant(kind="MODEL_COMMUNITY", communitySlug=p.a, year=THIS_YEAR - 1),
        headers=p.project_group,
    )
    featured = await mutate(
        client, GRANT, grant(kind="FEATURED_COMMUNITY", communitySlug=p.a), headers=p.project_group
    )

    assert twice["code"] == "DUPLICATE"
    assert last_year["recognition"]["number"] == f"GX-{THIS_YEAR - 1}-0001"
    assert featured["recognition"]["number"] == f"GX-{THIS_YEAR}-0002"
    revoked = (
        await mutate(
            client,
            REVOKE,
            {"input": {"id": first["id"], "reason": "评审结果录入错误"}},
            headers=p.project_group,
        )
    )["recognition"]
    assert revoked["revokedAt"] is not None
    again = (await mutate(client, GRANT, given, headers=p.project_group))["recognition"]
    # A revoked number is never given again.
    assert again["number"] == f"GX-{THIS_YEAR}-0003"


async def test_at_most_five_national_brands_a_year_a_sixth_is_brand_limit(client, owner, programme):
    p = programme
    for unit in p.units[:5]:
        await mutate(
            client, GRANT, grant(kind="NATIONAL_BRAND", unitId=unit), headers=p.project_group
        )
    before = await row_counts(owner)

    sixth = await refusal(
        client,
        GRANT,
        grant(kind="NATIONAL_BRAND", communitySlug=p.a, holderName="银龄学习共同体团队"),
        headers=p.project_group,
    )

    assert (sixth["code"], sixth["field"]) == ("BRAND_LIMIT", "kind")
    assert "至多 5 个" in sixth["message"]
    assert await row_counts(owner) == before
    # Other kinds are not limited, nor last year's brands.
    await mutate(
        client, GRANT, grant(kind="MODEL_UNIT", unitId=p.units[5]), headers=p.project_group
    )
    await mutate(
        client,
        GRANT,
        grant(kind="NATIONAL_BRAND", unitId=p.units[5], year=THIS_YEAR - 1),
        headers=p.project_group,
    )
    # A brand revoked as granted in error frees its place.
    listed = (await gql(client, LISTED, {"year": THIS_YEAR, "kind": "NATIONAL_BRAND"}))["data"]
    assert listed["recognitions"]["totalCount"] == 5
    brand = listed["recognitions"]["edges"][0]["node"]["number"]
    found = (await gql(client, CERTIFICATE, {"number": brand}))["data"]["certificate"]
    await mutate(
        client,
        REVOKE,
        {"input": {"id": found["id"], "reason": "重复申报"}},
        headers=p.project_group,
    )
    await mutate(
        client,
        GRANT,
        grant(kind="NATIONAL_BRAND", communitySlug=p.a, holderName="银龄学习共同体团队"),
        headers=p.project_group,
    )


async def test_two_grants_racing_for_the_fifth_brand_place_one_succeeds(client, programme):
    p = programme
    for unit in p.units[:4]:
        await mutate(
            client, GRANT, grant(kind="NATIONAL_BRAND", unitId=unit), headers=p.project_group
        )

    both = await asyncio.gather(
        *(
            gql(client, GRANT, grant(kind="NATIONAL_BRAND", unitId=unit), headers=p.project_group)
            for unit in p.units[4:6]
        )
    )

    outcomes = sorted(
        tuple(e["code"] for e in body["data"]["grantRecognition"]["errors"]) for body in both
    )
    assert outcomes == [(), ("BRAND_LIMIT",)]
    listed = (await gql(client, LISTED, {"year": THIS_YEAR, "kind": "NATIONAL_BRAND"}))["data"]
    assert listed["recognitions"]["totalCount"] == 5


async def test_only_the_project_group_grants_and_revokes(client, programme):
    p = programme
    given = grant(kind="MODEL_COMMUNITY", communitySlug=p.a)
    for headers in (p.leader, p.member, p.staff):
        assert error_codes(await gql(client, GRANT, given, headers=headers)) == ["FORBIDDEN"]
    assert error_codes(await gql(client, GRANT, given)) == ["UNAUTHENTICATED"]
    made = (await mutate(client, GRANT, given, headers=p.project_group))["recognition"]
    revoke = {"input": {"id": made["id"], "reason": "错误"}}
    assert error_codes(await gql(client, REVOKE, revoke, headers=p.leader)) == ["FORBIDDEN"]


async def test_the_certificate_is_for_its_holders_and_the_project_group(client, programme):
    p = programme
    community = (
        await mutate(
            client, GRANT, grant(kind="MODEL_COMMUNITY", communitySlug=p.a), headers=p.project_group
        )
    )["recognition"]["number"]
    unit = (
        await mutate(
            client, GRANT, grant(kind="MODEL_UNIT", unitId=p.units[0]), headers=p.project_group
        )
    )["recognition"]["number"]

    async def url(number: str, headers: dict[str, str]) -> str | None:
        body = await gql(client, CERTIFICATE, {"number": number}, headers=headers)
        return body["data"]["certificate"]["certificateUrl"]

    assert await url(community, p.leader) == f"/certificates/{community}.pdf"
    assert await url(community, p.deputy) == f"/certificates/{community}.pdf"
    assert await url(community, p.member) is None
    assert await url(community, p.other_leader) is None
    assert await url(community, p.staff) is None
    assert await url(unit, p.staff) == f"/certificates/{unit}.pdf"
    assert await url(unit, p.leader) is None
    assert await url(unit, p.project_group) == f"/certificates/{unit}.pdf"


async def test_a_revoked_recognition_says_so_and_is_no_longer_an_honour(client, owner, programme):
    p = programme
    made = (
        await mutate(
            client, GRANT, grant(kind="MODEL_COMMUNITY", communitySlug=p.a), headers=p.project_group
        )
    )["recognition"]
    blank = await refusal(
        client, REVOKE, {"input": {"id": made["id"], "reason": "  "}}, headers=p.project_group
    )
    assert (blank["code"], blank["field"]) == ("INVALID_INPUT", "reason")

    await mutate(
        client,
        REVOKE,
        {"input": {"id": made["id"], "reason": "评审结果录入错误"}},
        headers=p.project_group,
    )
    before = await row_counts(owner)
    twice = await refusal(
        client, REVOKE, {"input": {"id": made["id"], "reason": "再次"}}, headers=p.project_group
    )

    assert twice["code"] == "INVALID_TRANSITION"
    assert await row_counts(owner) == before
    verified = (await gql(client, CERTIFICATE, {"number": made["number"]}))["data"]["certificate"]
    assert verified["revokedAt"] is not None
    honours = (await gql(client, HONOURS, {"slug": p.a}))["data"]["community"]["recognitions"]
    assert honours["totalCount"] == 0
    assert (await gql(client, CERTIFICATE, {"number": "GX-1999-0404"}))["data"] == {
        "certificate": None
    }


async def test_the_audit_counts_the_brands_the_grant_counts(client, runtime, programme):
    """One count for both: the brands in force of each year, a revoked one not among them."""
    p = programme
    made = [
        (
            await mutate(
                client,
                GRANT,
                grant(kind="NATIONAL_BRAND", unitId=unit, year=THIS_YEAR - 1),
                headers=p.project_group,
            )
        )["recognition"]
        for unit in p.units[:2]
    ]
    await mutate(
        client,
        REVOKE,
        {"input": {"id": made[0]["id"], "reason": "录入错误"}},
        headers=p.project_group,
    )

    async with runtime.database.transaction(all_communities=True) as session:
        facts = await programme_facts(session, today())
    found = [f for f in check_programme(facts) if f.rule == "brand-selection"]

    assert facts.brands == {THIS_YEAR - 1: 1}
    assert f"{THIS_YEAR - 1} 年评定全国终身学习特色品牌 1 个，每年应为 3-5 个" in [
        f.zh for f in found
    ]
