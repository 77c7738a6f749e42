import datetime as dt
import os
import subprocess

from sqlalchemy import func, select

from server.activities.models import Activity
from server.clock import today
from server.communities.models import Community, Membership
from server.communities.rules import MAX_UNITS, MIN_UNITS
from server.demo.dataset import COMMUNITIES
from server.demo.load import load_demo
from server.vocabulary import MembershipRole
from tests.cli import GONGXUE, cli_env
from tests.graphql import gql


async def test_the_demo_loads_communities_of_three_to_fifteen_units_once(client, runtime):
    first = await load_demo(runtime)
    second = await load_demo(runtime)

    assert first.new_communities == len(COMMUNITIES) >= 5
    assert second.new_communities == 0
    assert second.new_units == 0
    assert [s.email for s in second.sign_ins] == [s.email for s in first.sign_ins]
    async with runtime.database.transaction() as session:
        sizes = (
            await session.execute(
                select(Membership.community_id, func.count()).group_by(Membership.community_id)
            )
        ).all()
        leaders = (
            await session.execute(
                select(Membership.community_id, func.count())
                .where(Membership.role == MembershipRole.LEADER)
                .group_by(Membership.community_id)
            )
        ).all()
        regions = set((await session.scalars(select(Community.region))).all())
        levels = set((await session.scalars(select(Community.level))).all())
    assert all(MIN_UNITS <= n <= MAX_UNITS for _, n in sizes)
    assert len(sizes) == len(COMMUNITIES)
    assert all(n == 1 for _, n in leaders) and len(leaders) == len(COMMUNITIES)
    assert len(regions) >= 3 and len(levels) >= 3

    body = await gql(client, "{ communities { totalCount } }")
    assert body["data"]["communities"]["totalCount"] == len(COMMUNITIES)


async def test_the_demo_holds_a_year_of_activities_and_one_unit_leaves(client, runtime):
    first = await load_demo(runtime)
    second = await load_demo(runtime)

    assert first.new_activities >= 5 * len(COMMUNITIES) and second.new_activities == 0
    async with runtime.database.transaction(all_communities=True) as session:
        held = (await session.scalars(select(Activity.held_on))).all()
        expected, recorded = (
            await session.execute(
                select(
                    func.sum(Activity.expected_count),
                    func.sum(
                        Activity.attended_count + Activity.absent_count + Activity.excused_count
                    ),
                )
            )
        ).one()
    assert today() - dt.timedelta(days=366) <= min(held) and max(held) < today()
    assert expected == recorded  # every expected unit's attendance is on record
    exits = await gql(
        client, "{ exits { edges { node { kind unit { name } community { slug } } } } }"
    )
    (gone,) = [e["node"] for e in exits["data"]["exits"]["edges"]]
    (absentee,) = [c for c in COMMUNITIES if c.absentee]
    assert gone["kind"] == "AUTO_EXITED" and gone["community"]["slug"] == absentee.slug
    sites = await gql(client, "{ units(first: 100) { edges { node { plaqueNumber } } } }")
    plaques = [e["node"]["plaqueNumber"] for e in sites["data"]["units"]["edges"]]
    assert len(set(plaques)) == len(plaques) and all(p.startswith("LLC-2024-") for p in plaques)


def test_the_cli_loads_the_demo_and_prints_its_sign_ins(services, settings):
    env = cli_env(services, settings, COLUMNS="200")

    run = subprocess.run(
        [GONGXUE, "demo"], env=env, capture_output=True, text=True, timeout=120, check=False
    )

    assert run.returncode == 0, run.stderr
    assert "admin@demo.gongxue.test" in run.stdout
    assert "gongxue-demo-2026" in run.stdout
    assert "规则审核 rule audit:" in run.stdout  # the demo opens with its findings in place
    for community in COMMUNITIES:
        assert community.slug in run.stdout


def test_the_cli_refuses_the_demo_in_production(services):
    env = {
        **os.environ,
        "GONGXUE_DATABASE_URL": services.database_url,
        "GONGXUE_ENV": "production",
        "GONGXUE_SECRET_KEY": "p" * 40,
    }

    run = subprocess.run(
        [GONGXUE, "demo"], env=env, capture_output=True, text=True, timeout=60, check=False
    )

    assert run.returncode == 2
    assert "refused in production" in run.stdout


def test_create_admin_makes_a_project_group_account_once(services, settings):
    env = cli_env(services, settings)
    command = [GONGXUE, "create-admin", "--email", "pg@caea.test", "--password", "long-enough-pw"]

    def run() -> subprocess.CompletedProcess:
        return subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=120, check=False
        )

    created = run()
    again = run()

    assert created.returncode == 0, created.stdout + created.stderr
    assert "pg@caea.test" in created.stdout
    assert again.returncode == 1
    assert "该邮箱已注册" in again.stdout


DEMO_NEWS = """
query ($slug: String!) {
  community(slug: $slug) {
    colour introHtml
    news { edges { node { title status } } }
    publicActivities { totalCount }
  }
  programmeNews(featuredOnly: true) { totalCount }
}"""


async def test_each_demo_sub_platform_has_a_profile_news_a_draft_and_public_activities(
    client, runtime
):
    await load_demo(runtime)
    await load_demo(runtime)
    slug = COMMUNITIES[0].slug
    leader = next(s for s in (await load_demo(runtime)).sign_ins if s.community == slug)
    login = await gql(
        client,
        "mutation ($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { token } }",
        {"e": leader.email, "p": leader.password},
    )
    token = login["data"]["login"]["token"]

    public = (await gql(client, DEMO_NEWS, {"slug": slug}))["data"]
    own = await gql(client, DEMO_NEWS, {"slug": slug}, headers={"Authorization": f"Bearer {token}"})

    statuses = [e["node"]["status"] for e in own["data"]["community"]["news"]["edges"]]
    assert statuses.count("DRAFT") == 1 and statuses.count("PUBLISHED") >= 3
    assert len(public["community"]["news"]["edges"]) == statuses.count("PUBLISHED")
    assert public["community"]["colour"].startswith("#")
    assert public["community"]["introHtml"].startswith("<h2>")
    assert public["community"]["publicActivities"]["totalCount"] >= 1
    assert public["programmeNews"]["totalCount"] >= 1
