"""An activity or a finding is a community's or the programme's own (two tables, one GraphQL
type each): the programme's rows answer with their own global id and no community, through
the lists and through `node(id:)`."""

import datetime as dt

from schema.core import ids
from server.activities.models import ProgrammeActivity
from server.compliance.models import ProgrammeFinding
from server.vocabulary import ActivityKind, FindingStatus, Severity
from tests.factories import bearer, make_user
from tests.graphql import gql

SEEN = dt.datetime(2026, 11, 3, 3, 0, tzinfo=dt.UTC)


async def test_the_programmes_own_activity_has_its_own_id_and_no_community(client, runtime):
    async with runtime.database.transaction() as session:
        training = ProgrammeActivity(
            kind=ActivityKind.TRAINING, title="全国培训", held_on=dt.date(2026, 5, 8)
        )
        session.add(training)
        await session.flush()
        activity_id = training.id
    _, token = await make_user(runtime, "member@example.cn")
    fields = "id title kind kindLabel heldOn expectedCount community { slug }"

    listed = await gql(
        client,
        f"{{ programmeActivities {{ edges {{ node {{ {fields} }} }} }} }}",
        headers=bearer(token),
    )
    (edge,) = listed["data"]["programmeActivities"]["edges"]
    fetched = await gql(
        client,
        f"query ($id: ID!) {{ node(id: $id) {{ ... on Activity {{ {fields} }} }} }}",
        {"id": edge["node"]["id"]},
        headers=bearer(token),
    )

    assert edge["node"] == {
        "id": ids.encode("ProgrammeActivity", activity_id),
        "title": "全国培训",
        "kind": "TRAINING",
        "kindLabel": "社区教育工作者培训",
        "heldOn": "2026-05-08",
        "expectedCount": 0,
        "community": None,
    }
    assert fetched["data"]["node"] == edge["node"]


async def test_the_programmes_own_finding_has_its_own_id_its_evidence_and_no_community(
    client, runtime
):
    async with runtime.database.transaction(all_communities=True) as session:
        finding = ProgrammeFinding(
            rule="project-group-cadence",
            article="16",
            severity=Severity.WARNING,
            status=FindingStatus.OPEN,
            subject="programme:TRAINING",
            period="2026",
            message_zh="项目组培训不足",
            message_en="too few programme trainings",
            evidence=["ProgrammeActivity:7"],
            fingerprint="f",
            first_seen_at=SEEN,
            last_seen_at=SEEN,
        )
        session.add(finding)
        await session.flush()
        finding_id = finding.id
    _, token = await make_user(runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    fields = "id rule period status evidence message community { slug } unit { name }"

    listed = await gql(
        client,
        f"{{ programmeFindings {{ edges {{ node {{ {fields} }} }} }} }}",
        headers=bearer(token),
    )
    (edge,) = listed["data"]["programmeFindings"]["edges"]
    fetched = await gql(
        client,
        f"query ($id: ID!) {{ node(id: $id) {{ ... on Finding {{ {fields} }} }} }}",
        {"id": edge["node"]["id"]},
        headers=bearer(token),
    )

    assert edge["node"] == {
        "id": ids.encode("ProgrammeFinding", finding_id),
        "rule": "project-group-cadence",
        "period": "2026",
        "status": "OPEN",
        "evidence": [ids.encode("ProgrammeActivity", 7)],
        "message": "项目组培训不足",
        "community": None,
        "unit": None,
    }
    assert fetched["data"]["node"] == edge["node"]
