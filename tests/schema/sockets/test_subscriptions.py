"""The two subscriptions: an audit run's progress, and the signed-in user's notifications.
Events come from other processes through Redis, and each is checked against the
subscriber's rights at the moment it is sent."""

import asyncio
import subprocess

from schema.core import ids
from server.compliance import audit
from server.notifications.service import inbox_topic, notify
from tests.cli import GONGXUE, cli_env
from tests.eventually import eventually
from tests.factories import bearer, make_community, make_user
from tests.graphql import gql, mutate
from tests.socket_client import socket

RUN_AUDIT = "mutation ($c: String) { runAudit(input: {communitySlug: $c}) { auditRun { id } errors { code } } }"
PROGRESS = "subscription ($id: ID!) { auditRunProgress(id: $id) { status communitiesDone communitiesTotal } }"
ADDED = "subscription { notificationAdded { title body } }"
LOGOUT = "mutation { logout { ok } }"


def waiting_on_inbox(runtime, *users) -> bool:
    """Each user's subscription has read where their inbox stood and now waits on it: what
    is notified from here on reaches it. (The served app shares the tests' runtime.)"""
    return all(inbox_topic(user.id) in runtime.topics._waiting for user in users)


async def events_until_complete(ws, id: str, within: float = 30.0) -> list[dict]:
    events = []
    while (message := await ws.answer(id, within))["type"] == "next":
        events.append(message["payload"])
    assert message["type"] == "complete", message
    return events


async def test_a_run_is_followed_to_its_end_as_another_process_works_it(
    served, client, runtime, services, settings
):
    for slug in ("alpha", "beta", "gamma"):
        await make_community(runtime, slug)
    _, token = await make_user(runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    run = await mutate(client, RUN_AUDIT, headers=bearer(token))
    run_id = run["auditRun"]["id"]

    async with socket(served) as ws:
        await ws.init({"token": token})
        await ws.subscribe("p", PROGRESS, {"id": run_id})
        first = await ws.answer("p")
        # A worker of its own, one community per transaction: three steps to announce.
        worker = await asyncio.create_subprocess_exec(
            GONGXUE,
            "worker",
            env=cli_env(services, settings, GONGXUE_AUDIT_CHUNK="1"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            rest = await events_until_complete(ws, "p")
        finally:
            worker.terminate()
            await asyncio.wait_for(worker.wait(), 30)

    progress = [first["payload"], *rest]
    states = [e["data"]["auditRunProgress"] for e in progress]
    assert states[0] == {"status": "QUEUED", "communitiesDone": 0, "communitiesTotal": 0}
    assert states[-1] == {"status": "SUCCEEDED", "communitiesDone": 3, "communitiesTotal": 3}
    done = [s["communitiesDone"] for s in states]
    assert done == sorted(done) and len(states) >= 3  # queued, running, finished at least
    assert all("errors" not in e for e in progress)


async def test_a_run_of_another_community_cannot_be_followed(served, client, runtime):
    alpha, _ = await make_community(runtime, "alpha")
    beta, _ = await make_community(runtime, "beta")
    _, alpha_leader = await make_user(runtime, "a@example.cn", ("LEADER", alpha.id))
    _, beta_leader = await make_user(runtime, "b@example.cn", ("LEADER", beta.id))
    run = await mutate(client, RUN_AUDIT, {"c": "alpha"}, headers=bearer(alpha_leader))
    run_id = run["auditRun"]["id"]

    async with socket(served) as ws:
        await ws.init({"token": beta_leader})
        await ws.subscribe("p", PROGRESS, {"id": run_id})
        refused = await ws.answer("p")
    async with socket(served) as ws:
        await ws.init({"token": alpha_leader})
        await ws.subscribe("p", PROGRESS, {"id": run_id})
        allowed = await ws.answer("p")

    errors = refused["payload"] if refused["type"] == "error" else refused["payload"]["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]
    assert allowed["payload"]["data"]["auditRunProgress"]["status"] == "QUEUED"


async def test_a_leader_who_loses_the_role_stops_receiving_progress(served, client, runtime):
    alpha, _ = await make_community(runtime, "alpha")
    leader, token = await make_user(runtime, "a@example.cn", ("LEADER", alpha.id))
    _, admin = await make_user(runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    run = await mutate(client, RUN_AUDIT, {"c": "alpha"}, headers=bearer(token))

    async with socket(served) as ws:
        await ws.init({"token": token})
        await ws.subscribe("p", PROGRESS, {"id": run["auditRun"]["id"]})
        assert (await ws.answer("p"))["type"] == "next"
        revoked = await gql(
            client,
            "mutation ($u: ID!, $c: String!) { revokeRole(input: {userId: $u, role: LEADER, communitySlug: $c}) { errors { code } } }",
            {"u": ids.encode("User", leader.id), "c": "alpha"},
            headers=bearer(admin),
        )
        assert revoked["data"]["revokeRole"]["errors"] == [], revoked
        # The run starts: the next event is the refusal, not the run.
        await audit.start(runtime, ids.decode_as(run["auditRun"]["id"], "AuditRun")[0])
        refused = await ws.answer("p")

    errors = refused["payload"] if refused["type"] == "error" else refused["payload"]["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]


async def test_notifications_reach_only_their_own_user(served, runtime):
    li, li_token = await make_user(runtime, "li@example.cn")
    wang, wang_token = await make_user(runtime, "wang@example.cn")

    async with socket(served) as li_ws, socket(served) as wang_ws:
        await li_ws.init({"token": li_token})
        await wang_ws.init({"token": wang_token})
        await li_ws.subscribe("n", ADDED)
        await wang_ws.subscribe("n", ADDED)
        await eventually(lambda: waiting_on_inbox(runtime, li, wang), what="both subscribed")
        async with runtime.database.transaction() as session:
            await notify(session, [li.id], "exit.auto", "自动退出", "给李老师")
        async with runtime.database.transaction() as session:
            await notify(session, [wang.id], "exit.auto", "自动退出", "给王老师")
        # Sooner than the 4 s poll: announced on Redis when the transaction committed.
        to_li = await li_ws.answer("n", 2.0)
        to_wang = await wang_ws.answer("n", 2.0)
        nothing_more = await asyncio.gather(
            li_ws.answer("n", 1.0), wang_ws.answer("n", 1.0), return_exceptions=True
        )

    assert to_li["payload"]["data"]["notificationAdded"]["body"] == "给李老师"
    assert to_wang["payload"]["data"]["notificationAdded"]["body"] == "给王老师"
    assert all(isinstance(n, TimeoutError) for n in nothing_more)


async def test_a_logged_out_subscriber_receives_nothing_more(served, client, runtime):
    li, token = await make_user(runtime, "li@example.cn")

    async with socket(served) as ws:
        await ws.init({"token": token})
        await ws.subscribe("n", ADDED)
        await eventually(lambda: waiting_on_inbox(runtime, li), what="subscribed")
        await gql(client, LOGOUT, headers=bearer(token))
        async with runtime.database.transaction() as session:
            await notify(session, [li.id], "exit.auto", "自动退出", "登出之后")
        messages = []
        try:
            while True:
                messages.append(await ws.receive(3.0))
        except Exception as ended:
            closed = ended

    assert all(m.get("payload", {}).get("data") is None for m in messages), messages
    assert getattr(closed, "rcvd", None) is not None and closed.rcvd.code == 4401
