"""Writing news as a community's leader does, through the API: drafts, published items and
the project group's featured ones, for the pages to show (or not)."""

from typing import Any

import httpx

from tests.graphql import mutate

CREATE = """
mutation ($input: CreateNewsInput!) {
  createNews(input: $input) { news { id } errors { code field message } }
}"""
PUBLISH = """
mutation ($id: ID!) {
  publishNews(input: {id: $id}) { news { id } errors { code field message } }
}"""
UNPUBLISH = """
mutation ($id: ID!) {
  unpublishNews(input: {id: $id}) { news { id } errors { code field message } }
}"""
FEATURE = """
mutation ($id: ID!) {
  featureNews(input: {id: $id, featured: true}) { news { id } errors { code field message } }
}"""
PROFILE = """
mutation ($input: UpdateCommunityProfileInput!) {
  updateCommunityProfile(input: $input) {
    community { colour }
    errors { code field message }
  }
}"""


async def draft(
    client: httpx.AsyncClient, writer: dict[str, str], slug: str, title: str, body: str = "正文"
) -> str:
    variables: dict[str, Any] = {"input": {"communitySlug": slug, "title": title, "body": body}}
    payload = await mutate(client, CREATE, variables, headers=writer)
    return str(payload["news"]["id"])


async def publish(
    client: httpx.AsyncClient, writer: dict[str, str], slug: str, title: str, body: str = "正文"
) -> str:
    news_id = await draft(client, writer, slug, title, body)
    await mutate(client, PUBLISH, {"id": news_id}, headers=writer)
    return news_id


async def feature(client: httpx.AsyncClient, project_group: dict[str, str], news_id: str) -> None:
    await mutate(client, FEATURE, {"id": news_id}, headers=project_group)
