"""Achievements (成果, Art. 6b) and the course resource library (16(6)) as their users live
them: community A's leader records a course resource with a file, keeps it to the community,
shares it with all communities, then makes it public, when an anonymous visitor finds it by a
two-character search. Two communities, so that every id is also tried from the other one."""

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from schema.core import ids
from server.audit.models import AuditEntry
from tests.factories import bearer, make_community, make_user
from tests.graphql import error_codes, gql, mutate, refusal
from tests.schema.research.test_research import REPORT, Research, approved, research
from tests.state import row_counts

__all__ = ["research"]  # the fixture, shared with the research tests

ERRORS = "errors { code field message }"
ACHIEVEMENT = (
    "id kind kindLabel title summary authors links visibility visibilityLabel subject "
    "audience format unit { name } community { slug } files { filename url }"
)
SUBMIT = f"""
mutation ($input: SubmitAchievementInput!) {{
  submitAchievement(input: $input) {{ achievement {{ {ACHIEVEMENT} }} {ERRORS} }}
}}"""
UPDATE = f"""
mutation ($input: UpdateAchievementInput!) {{
  updateAchievement(input: $input) {{ achievement {{ {ACHIEVEMENT} }} {ERRORS} }}
}}"""
VISIBILITY = f"""
mutation ($input: SetAchievementVisibilityInput!) {{
  setAchievementVisibility(input: $input) {{ achievement {{ id visibility }} {ERRORS} }}
}}"""
COMMUNITY_LIST = """
query ($slug: String!, $search: String, $kind: AchievementKind) {
  community(slug: $slug) {
    achievements(search: $search, kind: $kind) { totalCount edges { node { id title } } }
  }
}"""
LIST = """
query ($slug: String, $search: String, $kind: AchievementKind) {
  achievements(communitySlug: $slug, search: $search, kind: $kind, newestFirst: true) {
    totalCount edges { node { id title community { slug } } }
  }
}"""
NODE = """
query ($id: ID!) { node(id: $id) { ... on Achievement { id title visibility } } }"""
SUB_TOPIC_OF = """
query ($id: ID!) { node(id: $id) { ... on Achievement { subTopic { id title status } } } }"""


@dataclass
class Library:
    r: Research
    upload: str  # the leader's upload: the course's handout


async def _upload(client, headers: dict[str, str], name: str = "handout.csv") -> str:
    response = await client.post(
        "/uploads",
        content="课次,主题\n1,智能手机入门\n".encode(),
        headers={**headers, "X-Filename": name},
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.fixture
async def library(client, research) -> Library:
    return Library(research, await _upload(client, research.leader))


def course(r: Research, upload: str | None = None, **changes) -> dict:
    return {
        "input": {
            "kind": "COURSE_RESOURCE",
            "communitySlug": r.a,
            "unitId": r.a_units[1],
            "title": "智能手机应用入门",
            "summary": "面向社区老年学习者的系列微课，共十二讲。",
            "authors": ["李老师", "周老师"],
            "uploadIds": [upload] if upload else [],
            "links": ["https://example.cn/courses/phone"],
            "visibility": "COMMUNITY",
            "subject": "老年教育",
            "audience": "老年学习者",
            "format": "视频微课",
            **changes,
        }
    }


async def _titles(client, query: str, variables: dict, headers: dict) -> list[str]:
    body = await gql(client, query, variables, headers=headers)
    assert "errors" not in body, body
    data = body["data"]
    connection = data["community"]["achievements"] if "community" in data else data["achievements"]
    return [e["node"]["title"] for e in connection["edges"]]


async def _seen_by(client, r: Research, achievement: str, headers: dict) -> dict[str, bool]:
    """Whether the reader finds the achievement each way: the community's list, the list
    across communities, the list of one community, and `node(id)`."""
    title = "智能手机应用入门"
    node = await gql(client, NODE, {"id": achievement}, headers=headers)
    return {
        "community": title in await _titles(client, COMMUNITY_LIST, {"slug": r.a}, headers),
        "programme": title in await _titles(client, LIST, {}, headers),
        "one community": title in await _titles(client, LIST, {"slug": r.a}, headers),
        "node": (node.get("data") or {}).get("node") is not None,
    }


async def test_a_course_resource_from_the_community_to_the_public(client, library, runtime):
    r = library.r
    submitted = (await mutate(client, SUBMIT, course(r, library.upload), headers=r.leader))[
        "achievement"
    ]
    achievement = submitted["id"]
    anonymous: dict[str, str] = {}

    # Kept to community A: its members and assigned expert read it; B's leader and an
    # anonymous visitor find it no way at all.
    assert all((await _seen_by(client, r, achievement, r.member)).values())
    assert all((await _seen_by(client, r, achievement, r.expert)).values())
    assert not any((await _seen_by(client, r, achievement, r.other_leader)).values())
    assert not any((await _seen_by(client, r, achievement, anonymous)).values())
    file_url = submitted["files"][0]["url"]
    assert (await client.get(file_url, headers=r.other_leader)).status_code == 404
    assert (await client.get(file_url, headers=r.member)).status_code == 200

    # Shared with all communities: B's leader reads it and its file; the public still not.
    await mutate(
        client,
        VISIBILITY,
        {"input": {"id": achievement, "visibility": "ALL_COMMUNITIES"}},
        headers=r.leader,
    )
    assert all((await _seen_by(client, r, achievement, r.other_leader)).values())
    assert (await client.get(file_url, headers=r.other_leader)).status_code == 200
    assert not any((await _seen_by(client, r, achievement, anonymous)).values())

    # Public: everyone, and a two-character search finds it by its subject 老年教育.
    await mutate(
        client, VISIBILITY, {"input": {"id": achievement, "visibility": "PUBLIC"}}, headers=r.leader
    )
    assert all((await _seen_by(client, r, achievement, anonymous)).values())
    assert (await client.get(file_url)).status_code == 200
    for search in ("老年", "老年教育", "微课", "手机"):
        assert await _titles(client, LIST, {"search": search}, anonymous) == ["智能手机应用入门"]
        found = await _titles(client, COMMUNITY_LIST, {"slug": r.a, "search": search}, anonymous)
        assert found == ["智能手机应用入门"]
    assert await _titles(client, LIST, {"search": "年老"}, anonymous) == []
    assert await _titles(client, LIST, {"kind": "PAPER"}, anonymous) == []
    assert await _titles(client, LIST, {"kind": "COURSE_RESOURCE"}, anonymous) == [
        "智能手机应用入门"
    ]

    assert submitted["kindLabel"] == "特色课程资源"
    assert submitted["authors"] == ["李老师", "周老师"]
    assert (submitted["subject"], submitted["audience"], submitted["format"]) == (
        "老年教育",
        "老年学习者",
        "视频微课",
    )
    async with runtime.database.transaction(all_communities=True) as session:
        actions = (
            await session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.target_type == "Achievement")
                .order_by(AuditEntry.id)
            )
        ).all()
    assert actions == ["achievement.submit", "achievement.visibility", "achievement.visibility"]


async def test_another_community_leader_may_not_edit_it(client, library, owner):
    r = library.r
    achievement = (await mutate(client, SUBMIT, course(r, visibility="PUBLIC"), headers=r.leader))[
        "achievement"
    ]["id"]
    before = await row_counts(owner)

    edit = await gql(
        client, UPDATE, {"input": {"id": achievement, "title": "改"}}, headers=r.other_leader
    )
    hide = await gql(
        client,
        VISIBILITY,
        {"input": {"id": achievement, "visibility": "COMMUNITY"}},
        headers=r.other_leader,
    )
    anonymous = await gql(client, UPDATE, {"input": {"id": achievement, "title": "改"}})
    member = await gql(
        client, UPDATE, {"input": {"id": achievement, "title": "改"}}, headers=r.member
    )
    # Through B's own door, A's achievement is not there at all.
    door = await gql(
        client,
        UPDATE,
        {"input": {"id": achievement, "title": "改"}},
        headers=r.other_leader,
        path=f"/c/{r.b}/graphql",
    )

    assert error_codes(edit) == ["FORBIDDEN"]
    assert error_codes(hide) == ["FORBIDDEN"]
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]
    assert error_codes(member) == ["FORBIDDEN"]
    assert [e["code"] for e in door["data"]["updateAchievement"]["errors"]] == ["NOT_FOUND"]
    assert await row_counts(owner) == before
    titles = await _titles(client, LIST, {}, {})
    assert titles == ["智能手机应用入门"]


async def test_the_leader_and_a_deputy_edit_what_is_given(client, library):
    r = library.r
    achievement = (await mutate(client, SUBMIT, course(r, library.upload), headers=r.leader))[
        "achievement"
    ]["id"]

    edited = (
        await mutate(
            client,
            UPDATE,
            {"input": {"id": achievement, "title": "智能手机应用进阶", "format": "直播课"}},
            headers=r.deputy,
        )
    )["achievement"]

    assert edited["title"] == "智能手机应用进阶"
    assert edited["format"] == "直播课"
    # What was not given stays, the leader's file too.
    assert edited["subject"] == "老年教育"
    assert edited["authors"] == ["李老师", "周老师"]
    assert [f["filename"] for f in edited["files"]] == ["handout.csv"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"summary": ""}, "summary"),
        ({"authors": []}, "authors"),
        ({"authors": [f"作者{n}" for n in range(21)]}, "authors"),  # at most 20
        ({"links": ["javascript:alert(1)"]}, "links"),
        ({"links": ["ftp://example.cn/a"]}, "links"),
        ({"links": [f"https://example.cn/{n}" for n in range(11)]}, "links"),  # at most 10
        ({"subject": None}, "subject"),
        ({"audience": " "}, "audience"),
        ({"format": None}, "format"),
        ({"kind": "PAPER"}, "subject"),  # only a course resource has them
    ],
)
async def test_bad_input_is_refused_and_changes_nothing(client, library, owner, changes, field):
    r = library.r
    before = await row_counts(owner)

    refused = await refusal(client, SUBMIT, course(r, **changes), headers=r.leader)

    assert (refused["code"], refused["field"]) == ("INVALID_INPUT", field)
    assert await row_counts(owner) == before


async def test_at_most_ten_files(client, library, owner):
    r = library.r
    uploads = [await _upload(client, r.leader, f"lesson-{n}.csv") for n in range(11)]
    before = await row_counts(owner)

    refused = await refusal(client, SUBMIT, course(r, uploadIds=uploads), headers=r.leader)
    ten = await mutate(client, SUBMIT, course(r, uploadIds=uploads[:10]), headers=r.leader)

    assert (refused["code"], refused["field"]) == ("INVALID_INPUT", "uploadIds")
    assert len(ten["achievement"]["files"]) == 10
    assert (await row_counts(owner))["achievements"] == before["achievements"] + 1


async def test_references_of_another_community_or_user_are_not_found(client, library, owner):
    r = library.r
    others_upload = await _upload(client, r.deputy)
    b_sub_topic = ids.encode("SubTopic", 10**9, 1)
    before = await row_counts(owner)

    outsider = await refusal(client, SUBMIT, course(r, unitId=r.outsider), headers=r.leader)
    upload = await refusal(client, SUBMIT, course(r, others_upload), headers=r.leader)
    sub_topic = await refusal(client, SUBMIT, course(r, subTopicId=b_sub_topic), headers=r.leader)

    assert (outsider["code"], outsider["field"]) == ("NOT_FOUND", "unitId")
    assert (upload["code"], upload["field"]) == ("NOT_FOUND", "uploadIds")
    assert (sub_topic["code"], sub_topic["field"]) == ("NOT_FOUND", "subTopicId")
    assert await row_counts(owner) == before


@pytest.mark.parametrize("who", ["member", "other_leader", "expert"])
async def test_who_may_not_submit(client, library, owner, who):
    r = library.r
    before = await row_counts(owner)

    body = await gql(client, SUBMIT, course(r), headers=getattr(r, who))

    assert error_codes(body) == ["FORBIDDEN"]
    assert await row_counts(owner) == before


async def test_a_member_units_staff_submit_for_their_own_unit_only(client, library, runtime):
    r = library.r
    unit = ids.decode_as(r.a_units[1], "Unit")[0]
    community = ids.decode(
        (await gql(client, '{ community(slug: "yrd-research-a") { id } }'))["data"]["community"][
            "id"
        ]
    )[1][0]
    _, token = await make_user(
        runtime, "staff-a@example.cn", ("MEMBER", int(community)), unit_id=unit
    )
    staff = bearer(token)

    own = await mutate(client, SUBMIT, course(r), headers=staff)
    other = await gql(client, SUBMIT, course(r, unitId=r.a_units[2]), headers=staff)
    community_own = await gql(client, SUBMIT, course(r, unitId=None), headers=staff)
    edited = await mutate(
        client, UPDATE, {"input": {"id": own["achievement"]["id"], "title": "改"}}, headers=staff
    )

    assert own["achievement"]["unit"] is not None
    assert error_codes(other) == ["FORBIDDEN"]
    assert error_codes(community_own) == ["FORBIDDEN"]
    assert edited["achievement"]["title"] == "改"


async def test_a_conclusion_report_links_its_outputs(client, library, runtime):
    r = library.r
    sub_topic = await approved(client, r)
    achievement = (await mutate(client, SUBMIT, course(r), headers=r.leader))["achievement"]["id"]
    b, _ = await make_community(runtime, "yrd-research-c")
    foreign = ids.encode("Achievement", b.id, ids.decode_as(achievement, "Achievement", 2)[1])

    refused = await refusal(
        client,
        REPORT,
        {
            "input": {
                "subTopicId": sub_topic,
                "stage": "CONCLUSION",
                "body": "结题",
                "achievementIds": [achievement, foreign],
            }
        },
        headers=r.leader,
    )
    unlinked = await gql(client, SUB_TOPIC_OF, {"id": achievement}, headers=r.leader)
    concluded = await mutate(
        client,
        REPORT,
        {
            "input": {
                "subTopicId": sub_topic,
                "stage": "CONCLUSION",
                "body": "结题：形成课程资源一套。",
                "achievementIds": [achievement],
            }
        },
        headers=r.leader,
    )
    linked = await gql(client, SUB_TOPIC_OF, {"id": achievement}, headers=r.leader)

    assert (refused["code"], refused["field"]) == ("NOT_FOUND", "achievementIds")
    assert unlinked["data"]["node"]["subTopic"] is None
    assert concluded["subTopic"]["status"] == "CONCLUDED"
    assert linked["data"]["node"]["subTopic"]["id"] == sub_topic
    assert linked["data"]["node"]["subTopic"]["status"] == "CONCLUDED"


async def test_english_labels_and_messages(client, library):
    r = library.r
    headers = {**r.leader, "Accept-Language": "en"}

    refused = await refusal(client, SUBMIT, course(r, kind="CASE"), headers=headers)
    made = await mutate(client, SUBMIT, course(r), headers=headers)

    assert refused["message"] == "only a course resource has a subject"
    assert made["achievement"]["kindLabel"] == "Course resource"
    assert made["achievement"]["visibilityLabel"] == "This community only"
