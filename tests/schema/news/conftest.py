"""Two communities, A and B, with a signed-in client of each role that matters to a
sub-platform: A's leader, deputy and member unit's staff, B's leader, the project group, and
nobody."""

from dataclasses import dataclass
from typing import Any

import pytest

from tests import files
from tests.factories import bearer, make_community, make_user
from tests.graphql import gql, mutate

ERRORS = "errors { code field message }"
NEWS_FIELDS = (
    "id title body bodyHtml status statusLabel publishedAt featured author coverUrl "
    "community { slug }"
)
CREATE = f"""
mutation ($input: CreateNewsInput!) {{
  createNews(input: $input) {{ news {{ {NEWS_FIELDS} }} {ERRORS} }}
}}"""
UPDATE = f"""
mutation ($input: UpdateNewsInput!) {{
  updateNews(input: $input) {{ news {{ {NEWS_FIELDS} }} {ERRORS} }}
}}"""
PUBLISH = f"""
mutation ($id: ID!) {{ publishNews(input: {{id: $id}}) {{ news {{ {NEWS_FIELDS} }} {ERRORS} }} }}"""
UNPUBLISH = f"""
mutation ($id: ID!) {{ unpublishNews(input: {{id: $id}}) {{ news {{ {NEWS_FIELDS} }} {ERRORS} }} }}"""
FEATURE = f"""
mutation ($id: ID!, $featured: Boolean!) {{
  featureNews(input: {{id: $id, featured: $featured}}) {{ news {{ {NEWS_FIELDS} }} {ERRORS} }}
}}"""
COMMUNITY_NEWS = """
query ($slug: String!, $search: String, $first: Int, $after: String) {
  community(slug: $slug) {
    news(search: $search, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { cursor node { id title status statusLabel featured author coverUrl } }
    }
  }
}"""
PROGRAMME_NEWS = """
query ($search: String, $featuredOnly: Boolean, $first: Int, $after: String) {
  programmeNews(search: $search, featuredOnly: $featuredOnly, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { node { id title status featured community { slug } } }
  }
}"""
NODE = "query ($id: ID!) { node(id: $id) { ... on News { title status } } }"


@dataclass
class Sub:
    """The two communities and a client header for each role."""

    a: str
    b: str
    a_id: int
    b_id: int
    leader: dict[str, str]
    deputy: dict[str, str]
    member: dict[str, str]
    other_leader: dict[str, str]
    project_group: dict[str, str]
    anonymous: dict[str, str]


@pytest.fixture
async def sub(runtime) -> Sub:
    a, _ = await make_community(runtime, "yrd-news-a", size=3)
    b, _ = await make_community(runtime, "yrd-news-b", size=3)
    _, leader = await make_user(
        runtime, "leader-a@example.cn", ("LEADER", a.id), display_name="王组长"
    )
    _, deputy = await make_user(runtime, "deputy-a@example.cn", ("DEPUTY", a.id))
    _, member = await make_user(runtime, "member-a@example.cn", ("MEMBER", a.id))
    _, other = await make_user(runtime, "leader-b@example.cn", ("LEADER", b.id))
    _, admin = await make_user(runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    return Sub(
        a.slug,
        b.slug,
        a.id,
        b.id,
        bearer(leader),
        bearer(deputy),
        bearer(member),
        bearer(other),
        bearer(admin),
        {},
    )


async def create(
    client, headers: dict[str, str], slug: str, title: str, body: str = "正文", **more: Any
) -> dict[str, Any]:
    variables = {"input": {"communitySlug": slug, "title": title, "body": body, **more}}
    return (await mutate(client, CREATE, variables, headers=headers))["news"]


async def published(client, headers: dict[str, str], slug: str, title: str, body: str = "正文"):
    news = await create(client, headers, slug, title, body)
    return (await mutate(client, PUBLISH, {"id": news["id"]}, headers=headers))["news"]


async def titles(client, headers: dict[str, str], slug: str, **variables: Any) -> list[str]:
    body = await gql(client, COMMUNITY_NEWS, {"slug": slug, **variables}, headers=headers)
    assert "errors" not in body, body
    return [e["node"]["title"] for e in body["data"]["community"]["news"]["edges"]]


async def programme_titles(client, headers: dict[str, str] | None = None, **variables: Any):
    body = await gql(client, PROGRAMME_NEWS, variables, headers=headers or {})
    assert "errors" not in body, body
    return [e["node"]["title"] for e in body["data"]["programmeNews"]["edges"]]


async def upload(client, headers: dict[str, str], data: bytes | None = None) -> str:
    response = await client.post(
        "/uploads",
        content=data or files.image("PNG"),
        headers={**headers, "X-Filename": "picture.png"},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])
