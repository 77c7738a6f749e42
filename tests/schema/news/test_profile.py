"""A sub-platform's own face: the introduction, logo, banner and colour its leader and
deputies set, and the activities they choose to show; public, like the profile."""

import datetime as dt

from tests.graphql import error_codes, gql, mutate, refusal
from tests.schema.lifecycle.operations import SCHEDULE
from tests.schema.news.conftest import upload
from tests.state import row_counts

PROFILE = """
mutation ($input: UpdateCommunityProfileInput!) {
  updateCommunityProfile(input: $input) {
    community { slug intro introHtml colour logoUrl bannerUrl }
    errors { code field message }
  }
}"""
SHOWN = """
query ($slug: String!) {
  community(slug: $slug) {
    intro introHtml colour logoUrl bannerUrl
    publicActivities { totalCount edges { node { title isPublic } } }
  }
}"""
SET_PUBLIC = """
mutation ($id: ID!, $isPublic: Boolean!) {
  setActivityPublic(input: {activityId: $id, isPublic: $isPublic}) {
    activity { title isPublic }
    errors { code field message }
  }
}"""


async def test_the_leader_and_deputies_set_the_profile_everyone_sees(client, sub):
    logo = await upload(client, sub.leader)
    banner = await upload(client, sub.deputy)
    intro = "## 关于我们\n\n长三角**老年教育**共同体。<script>alert(1)</script>"

    await mutate(
        client,
        PROFILE,
        {"input": {"communitySlug": sub.a, "intro": intro, "logoUploadId": logo}},
        headers=sub.leader,
    )
    await mutate(
        client,
        PROFILE,
        {"input": {"communitySlug": sub.a, "bannerUploadId": banner, "colour": "#1A5FB4"}},
        headers=sub.deputy,
    )
    shown = (await gql(client, SHOWN, {"slug": sub.a}))["data"]["community"]

    assert shown["intro"] == intro
    assert "<strong>老年教育</strong>" in shown["introHtml"]
    assert "<script" not in shown["introHtml"]
    assert shown["colour"] == "#1a5fb4"
    assert (shown["logoUrl"], shown["bannerUrl"]) == (f"/uploads/{logo}", f"/uploads/{banner}")
    for picture in (logo, banner):
        assert (await client.get(f"/uploads/{picture}")).status_code == 200


async def test_a_colour_is_a_hex_value_and_outsiders_change_nothing(client, sub, owner):
    before = await row_counts(owner)
    change = {"input": {"communitySlug": sub.a, "intro": "外人写的"}}

    bad = await refusal(
        client, PROFILE, {"input": {"communitySlug": sub.a, "colour": "red"}}, headers=sub.leader
    )

    assert (bad["code"], bad["field"]) == ("INVALID_INPUT", "colour")
    for outsider in (sub.member, sub.other_leader):
        assert error_codes(await gql(client, PROFILE, change, headers=outsider)) == ["FORBIDDEN"]
    assert error_codes(await gql(client, PROFILE, change)) == ["UNAUTHENTICATED"]
    assert await row_counts(owner) == before
    shown = (await gql(client, SHOWN, {"slug": sub.a}))["data"]["community"]
    assert (shown["intro"], shown["colour"]) == (None, None)


async def test_activities_the_leader_marks_public_show_on_the_sub_platform(client, sub, owner):
    held = []
    for title, day in (("全民终身学习活动周", 10), ("内部工作会议", 11)):
        scheduled = await mutate(
            client,
            SCHEDULE,
            {
                "input": {
                    "communitySlug": sub.a,
                    "kind": "LEARNING_WEEK",
                    "title": title,
                    "heldOn": dt.date(2026, 5, day).isoformat(),
                }
            },
            headers=sub.leader,
        )
        held.append(scheduled["activity"]["id"])
    before = await row_counts(owner)

    for outsider in (sub.member, sub.other_leader):
        refused = await gql(client, SET_PUBLIC, {"id": held[0], "isPublic": True}, headers=outsider)
        assert error_codes(refused) == ["FORBIDDEN"]
    assert await row_counts(owner) == before
    assert (await gql(client, SHOWN, {"slug": sub.a}))["data"]["community"]["publicActivities"][
        "edges"
    ] == []

    marked = await mutate(client, SET_PUBLIC, {"id": held[0], "isPublic": True}, headers=sub.deputy)
    shown = (await gql(client, SHOWN, {"slug": sub.a}))["data"]["community"]["publicActivities"]

    assert marked["activity"] == {"title": "全民终身学习活动周", "isPublic": True}
    assert shown["totalCount"] == 1
    assert shown["edges"][0]["node"] == {"title": "全民终身学习活动周", "isPublic": True}

    await mutate(client, SET_PUBLIC, {"id": held[0], "isPublic": False}, headers=sub.leader)

    hidden = (await gql(client, SHOWN, {"slug": sub.a}))["data"]["community"]["publicActivities"]
    assert hidden["totalCount"] == 0


async def test_a_replaced_logo_is_private_again(client, sub):
    old, new = await upload(client, sub.leader), await upload(client, sub.leader)
    given = {"communitySlug": sub.a, "logoUploadId": old}
    await mutate(client, PROFILE, {"input": given}, headers=sub.leader)

    await mutate(client, PROFILE, {"input": {**given, "logoUploadId": new}}, headers=sub.leader)

    assert (await client.get(f"/uploads/{new}")).status_code == 200
    assert (await client.get(f"/uploads/{old}")).status_code == 401
