"""The achievements' pages as a visitor meets them: a public course resource found on its
sub-platform by a two-character search, on its own page and on the main platform; one kept to
its community nowhere; the workspace's list closed to an anonymous visitor."""

from tests.graphql import mutate
from tests.schema.achievements.test_achievements import SUBMIT, course
from tests.schema.research.test_research import research

__all__ = ["research"]  # the fixture, shared with the research tests


async def test_a_public_course_resource_on_the_platforms(client, research):
    r = research
    public = (await mutate(client, SUBMIT, course(r, visibility="PUBLIC"), headers=r.leader))[
        "achievement"
    ]
    kept = course(r, visibility="COMMUNITY")
    kept["input"]["title"] = "内部培训讲义"
    await mutate(client, SUBMIT, kept, headers=r.leader)

    found = await client.get(f"/c/{r.a}/achievements", params={"q": "老年"})
    none = await client.get(f"/c/{r.a}/achievements", params={"q": "量子"})
    page = await client.get(f"/c/{r.a}/achievements/{public['id']}")
    elsewhere = await client.get(f"/c/{r.b}/achievements/{public['id']}")
    sub_platform = await client.get(f"/c/{r.a}/")
    main = await client.get("/")
    workspace = await client.get(f"/c/{r.a}/manage/achievements")

    assert found.status_code == 200
    assert "智能手机应用入门" in found.text and "内部培训讲义" not in found.text
    assert "智能手机应用入门" not in none.text
    assert page.status_code == 200 and "老年学习者" in page.text and "视频微课" in page.text
    assert elsewhere.status_code == 404
    assert "智能手机应用入门" in sub_platform.text and "内部培训讲义" not in sub_platform.text
    assert "智能手机应用入门" in main.text and "内部培训讲义" not in main.text
    assert workspace.status_code == 303
