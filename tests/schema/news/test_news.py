"""News on the sub-platforms and the main platform (Art. 5(6), 16(10)): a draft is its
community's writers' alone, a published item everyone's; only the community's leader and
deputies (and the project group) write it; what it shows is sanitised."""

from tests import files
from tests.graphql import error_codes, gql, mutate, refusal
from tests.schema.news.conftest import (
    CREATE,
    FEATURE,
    NODE,
    PROGRAMME_NEWS,
    PUBLISH,
    UNPUBLISH,
    UPDATE,
    create,
    programme_titles,
    published,
    titles,
    upload,
)
from tests.state import row_counts


async def test_a_draft_is_seen_only_by_its_communitys_leader_deputies_and_project_group(
    client, sub
):
    draft = await create(client, sub.leader, sub.a, "社区学习周筹备")

    assert draft["status"] == "DRAFT" and draft["publishedAt"] is None
    assert draft["author"] == "王组长"
    for reader in (sub.leader, sub.deputy, sub.project_group):
        assert await titles(client, reader, sub.a) == ["社区学习周筹备"]
    for reader in (sub.anonymous, sub.member, sub.other_leader):
        assert await titles(client, reader, sub.a) == []
        assert await programme_titles(client, reader) == []
        found = await gql(client, NODE, {"id": draft["id"]}, headers=reader)
        assert error_codes(found) == ["NOT_FOUND"]
    # Through B's own door, A's draft is not there either.
    through_b = await gql(
        client, NODE, {"id": draft["id"]}, headers=sub.other_leader, path=f"/c/{sub.b}/graphql"
    )
    assert error_codes(through_b) == ["NOT_FOUND"]


async def test_a_published_item_reaches_everyone_until_it_is_taken_back(client, sub):
    draft = await create(client, sub.deputy, sub.a, "老年大学开学典礼")

    shown = (await mutate(client, PUBLISH, {"id": draft["id"]}, headers=sub.leader))["news"]

    assert shown["status"] == "PUBLISHED" and shown["publishedAt"] is not None
    for reader in (sub.anonymous, sub.member, sub.other_leader):
        assert await titles(client, reader, sub.a) == ["老年大学开学典礼"]
        assert await programme_titles(client, reader) == ["老年大学开学典礼"]
    assert (await gql(client, NODE, {"id": draft["id"]}))["data"]["node"]["status"] == "PUBLISHED"

    back = (await mutate(client, UNPUBLISH, {"id": draft["id"]}, headers=sub.leader))["news"]

    assert back["status"] == "DRAFT" and back["publishedAt"] is None
    assert await titles(client, sub.anonymous, sub.a) == []
    assert await programme_titles(client) == []


async def test_publishing_twice_or_taking_back_a_draft_is_refused(client, sub, owner):
    news = await published(client, sub.leader, sub.a, "成果展示")
    before = await row_counts(owner)

    again = await refusal(client, PUBLISH, {"id": news["id"]}, headers=sub.leader)
    await mutate(client, UNPUBLISH, {"id": news["id"]}, headers=sub.leader)
    twice = await refusal(client, UNPUBLISH, {"id": news["id"]}, headers=sub.leader)

    assert again["code"] == twice["code"] == "INVALID_TRANSITION"
    assert (await row_counts(owner))["news"] == before["news"]


async def test_only_the_communitys_leader_deputies_and_project_group_write(client, sub, owner):
    news = await create(client, sub.leader, sub.a, "原标题")
    before = await row_counts(owner)
    change = {"input": {"id": news["id"], "title": "改过的标题"}}
    write = {"input": {"communitySlug": sub.a, "title": "成员写的", "body": "正文"}}

    assert error_codes(await gql(client, CREATE, write, headers=sub.member)) == ["FORBIDDEN"]
    assert error_codes(await gql(client, CREATE, write, headers=sub.other_leader)) == ["FORBIDDEN"]
    assert error_codes(await gql(client, CREATE, write)) == ["UNAUTHENTICATED"]
    for outsider in (sub.member, sub.other_leader):
        assert error_codes(await gql(client, UPDATE, change, headers=outsider)) == ["FORBIDDEN"]
        assert error_codes(await gql(client, PUBLISH, {"id": news["id"]}, headers=outsider)) == [
            "FORBIDDEN"
        ]
    assert await row_counts(owner) == before
    assert await titles(client, sub.leader, sub.a) == ["原标题"]

    by_deputy = await mutate(client, UPDATE, change, headers=sub.deputy)
    by_group = await create(client, sub.project_group, sub.a, "项目组发布")

    assert by_deputy["news"]["title"] == "改过的标题"
    assert by_group["community"]["slug"] == sub.a


async def test_only_the_project_group_features_news_on_the_main_platform(client, sub):
    plain = await published(client, sub.leader, sub.a, "普通新闻")
    chosen = await published(client, sub.other_leader, sub.b, "精选新闻")

    refused = await gql(client, FEATURE, {"id": chosen["id"], "featured": True}, headers=sub.leader)
    featured = await mutate(
        client, FEATURE, {"id": chosen["id"], "featured": True}, headers=sub.project_group
    )

    assert error_codes(refused) == ["FORBIDDEN"]
    assert featured["news"]["featured"] is True
    assert await programme_titles(client, featuredOnly=True) == ["精选新闻"]
    assert await programme_titles(client, featuredOnly=False) == ["精选新闻", "普通新闻"]
    assert plain["featured"] is False


async def test_markup_in_a_body_is_sanitised_and_a_title_is_kept_as_text(client, sub):
    body = (
        "**欢迎**参加\n\n"
        "<script>alert('x')</script>\n\n"
        'An <img src="/uploads/x" onerror="alert(1)"> and '
        '<a href="javascript:alert(1)">链接</a> and <p onclick="steal()">段落</p>\n\n'
        "[官网](https://www.caea.org.cn)"
    )

    news = await create(client, sub.leader, sub.a, "<script>alert(1)</script>标题", body)

    html = news["bodyHtml"]
    assert "<strong>欢迎</strong>" in html
    assert "<script" not in html and "alert('x')" not in html
    assert "onerror" not in html and "onclick" not in html
    assert 'href="javascript:' not in html
    assert '<a href="https://www.caea.org.cn" rel="noopener noreferrer">官网</a>' in html
    # A title is text: the page escapes it; it is kept as written.
    assert news["title"] == "<script>alert(1)</script>标题"


async def test_titles_up_to_200_characters_and_bodies_up_to_20000(client, sub, owner):
    before = await row_counts(owner)
    too_long_title = await refusal(
        client,
        CREATE,
        {"input": {"communitySlug": sub.a, "title": "题" * 201, "body": "正文"}},
        headers=sub.leader,
    )
    too_long_body = await refusal(
        client,
        CREATE,
        {"input": {"communitySlug": sub.a, "title": "标题", "body": "文" * 20001}},
        headers=sub.leader,
    )
    blank_title = await refusal(
        client,
        CREATE,
        {"input": {"communitySlug": sub.a, "title": "   ", "body": "正文"}},
        headers=sub.leader,
    )

    assert (too_long_title["code"], too_long_title["field"]) == ("INVALID_INPUT", "title")
    assert (too_long_body["code"], too_long_body["field"]) == ("INVALID_INPUT", "body")
    assert (blank_title["code"], blank_title["field"]) == ("INVALID_INPUT", "title")
    assert await row_counts(owner) == before

    longest = await create(client, sub.leader, sub.a, "题" * 200, "文" * 20000)

    assert len(longest["title"]) == 200 and len(longest["body"]) == 20000


async def test_pictures_are_the_writers_own_png_or_jpeg_uploads(client, sub, owner):
    mine = await upload(client, sub.leader)
    theirs = await upload(client, sub.other_leader)
    response = await client.post(
        "/uploads", content=files.pdf(), headers={**sub.leader, "X-Filename": "a.pdf"}
    )
    document = response.json()["id"]
    before = await row_counts(owner)

    def attempt(**given):
        return {"input": {"communitySlug": sub.a, "title": "图片新闻", "body": "正文", **given}}

    elsewhere = await refusal(
        client, CREATE, attempt(body="![图](https://example.com/a.png)"), headers=sub.leader
    )
    not_mine = await refusal(
        client, CREATE, attempt(body=f"![图](/uploads/{theirs})"), headers=sub.leader
    )
    not_a_picture = await refusal(
        client, CREATE, attempt(coverUploadId=document), headers=sub.leader
    )

    assert (elsewhere["code"], elsewhere["field"]) == ("INVALID_INPUT", "body")
    assert (not_mine["code"], not_mine["field"]) == ("NOT_FOUND", "body")
    assert (not_a_picture["code"], not_a_picture["field"]) == ("INVALID_INPUT", "coverUploadId")
    assert await row_counts(owner) == before

    news = await create(
        client, sub.leader, sub.a, "图片新闻", f"![活动照片](/uploads/{mine})", coverUploadId=mine
    )

    assert news["coverUrl"] == f"/uploads/{mine}"
    assert f'<img src="/uploads/{mine}" alt="活动照片">' in news["bodyHtml"]


async def test_a_published_items_pictures_are_public_and_every_other_upload_private(client, sub):
    cover, picture, unused = [await upload(client, sub.leader) for _ in range(3)]
    news = await create(
        client, sub.leader, sub.a, "活动剪影", f"![合影](/uploads/{picture})", coverUploadId=cover
    )

    async def status(upload_id: str, headers: dict[str, str]) -> int:
        return (await client.get(f"/uploads/{upload_id}", headers=headers)).status_code

    # A draft's pictures: its community's writers only.
    assert await status(cover, {}) == 401
    assert await status(picture, sub.other_leader) == 404
    assert await status(picture, sub.deputy) == 200

    await mutate(client, PUBLISH, {"id": news["id"]}, headers=sub.leader)

    for shown in (cover, picture):
        response = await client.get(f"/uploads/{shown}")
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/png"
        assert response.headers["cache-control"] == "public, max-age=300"
    assert await status(unused, {}) == 401
    assert await status(unused, sub.other_leader) == 404

    await mutate(client, UNPUBLISH, {"id": news["id"]}, headers=sub.leader)

    assert await status(cover, {}) == 401
    assert await status(picture, {}) == 401


async def test_labels_and_refusals_in_the_readers_language(client, sub):
    news = await create(client, sub.leader, sub.a, "双语")
    english = {**sub.leader, "Accept-Language": "en"}

    zh = await gql(client, NODE, {"id": news["id"]}, headers=sub.leader)
    body = await gql(
        client,
        "query ($id: ID!) { node(id: $id) { ... on News { statusLabel } } }",
        {"id": news["id"]},
        headers=english,
    )
    again = await mutate(client, PUBLISH, {"id": news["id"]}, headers=english)
    twice = await refusal(client, PUBLISH, {"id": news["id"]}, headers=english)

    assert news["statusLabel"] == "草稿"
    assert zh["data"]["node"]["status"] == "DRAFT"
    assert body["data"]["node"]["statusLabel"] == "Draft"
    assert again["news"]["statusLabel"] == "Published"
    assert twice["message"] == "the news item is already published"


async def test_a_page_of_news_runs_newest_first_to_its_last_edge(client, sub):
    for n in range(5):
        await published(client, sub.leader, sub.a, f"第{n + 1}期简报")

    pages, after = [], None
    while True:
        body = await gql(
            client,
            PROGRAMME_NEWS,
            {"first": 2, "after": after},
        )
        connection = body["data"]["programmeNews"]
        pages.append([e["node"]["title"] for e in connection["edges"]])
        assert connection["totalCount"] == 5
        assert connection["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    last = connection["pageInfo"]["endCursor"]
    past = await gql(client, PROGRAMME_NEWS, {"first": 2, "after": last})
    none = await gql(client, PROGRAMME_NEWS, {"first": 0})
    too_many = await gql(client, PROGRAMME_NEWS, {"first": 101})

    assert pages == [["第5期简报", "第4期简报"], ["第3期简报", "第2期简报"], ["第1期简报"]]
    assert await titles(client, {}, sub.a, first=2) == ["第5期简报", "第4期简报"]
    assert past["data"]["programmeNews"]["edges"] == []
    assert none["data"]["programmeNews"]["edges"] == []
    assert none["data"]["programmeNews"]["pageInfo"]["hasNextPage"] is True
    assert error_codes(too_many) == ["INVALID_INPUT"]
