"""The process's copy of the casbin policy, and how it stays current across processes.

Grants live in PostgreSQL (`casbin_rule`). A process that changes them publishes the change
on Redis after its transaction commits; every process applies it in memory at once. A version
counter in Redis, polled every second, catches any message a process missed (it then reloads
everything from the database), so a change reaches every API replica and worker within ~1 s.
"""

import json
from dataclasses import dataclass

import casbin
from redis.asyncio import Redis
from sqlalchemy import select

from policies.enforcer import build_enforcer
from server.accounts.models import CasbinRule
from server.channels import Followed, Message
from server.db import Database

CHANNEL = "gongxue:policy:changes"  # and the database's number: `server/channels.py`
VERSION_KEY = "gongxue:policy:version"
# Decisions kept between changes of the policy; enough for every (subject, community,
# permission) a busy process meets, bounded so a scan of many subjects cannot grow it forever.
DECISIONS_KEPT = 100_000


@dataclass(frozen=True)
class PolicyChange:
    op: str  # "add" | "remove"
    rule: tuple[str, ...]  # ("g", sub, role, community) or ("g2", sub, role)


class Policy(Followed):
    def __init__(self, database: Database, redis: Redis) -> None:
        super().__init__(redis, CHANNEL, "policy")
        self._database = database
        self._enforcer: casbin.Enforcer = build_enforcer([])
        self._decisions: dict[tuple[str, str, str, str], bool] = {}
        self._grants: dict[str, set[tuple[str, str | None]]] = {}
        self._version = -1

    def allows(self, subject: str, domain: str, obj: str, act: str) -> bool:
        """casbin's decision, remembered until the policy next changes: `enforce()` compiles
        and evaluates the matcher each time, and a request asks several."""
        key = (subject, domain, obj, act)
        decision = self._decisions.get(key)
        if decision is None:
            if len(self._decisions) >= DECISIONS_KEPT:
                self._decisions.clear()
            decision = self._decisions[key] = bool(self._enforcer.enforce(*key))
        return decision

    def roles_of(self, subject: str) -> set[tuple[str, str | None]]:
        """`(role, community id)` for every grant the subject holds; None for national ones."""
        return set(self._grants.get(subject, ()))

    def holds(self, subject: str, role: str, community: str | None = None) -> bool:
        return (role, community) in self._grants.get(subject, ())

    def holders(self, role: str) -> set[str]:
        return {s for s, grants in self._grants.items() if (role, None) in grants}

    async def load(self) -> None:
        version = await self._redis.get(VERSION_KEY)
        async with self._database.transaction() as session:
            rows = (
                await session.execute(
                    select(CasbinRule.ptype, CasbinRule.v0, CasbinRule.v1, CasbinRule.v2).where(
                        CasbinRule.ptype.in_(("g", "g2"))
                    )
                )
            ).all()
        grants = [(p, v0, v1, v2) if p == "g" else (p, v0, v1) for p, v0, v1, v2 in rows]
        index: dict[str, set[tuple[str, str | None]]] = {}
        for rule in grants:
            index.setdefault(rule[1], set()).add(_grant_of(rule))
        self._enforcer = build_enforcer(grants)
        self._decisions = {}
        self._grants = index
        self._version = int(version or 0)

    async def publish(self, *changes: PolicyChange) -> None:
        """Call after the transaction that wrote the changes has committed."""
        for change in changes:
            self._apply(change)
            version = await self._redis.incr(VERSION_KEY)
            message = {"version": version, "op": change.op, "rule": list(change.rule)}
            await self._redis.publish(self.channel, json.dumps(message))
            if version == self._version + 1:
                self._version = version

    def _apply(self, change: PolicyChange) -> None:
        ptype, *params = change.rule
        held = self._grants.setdefault(params[0], set())
        if change.op == "add":
            self._enforcer.add_named_grouping_policy(ptype, *params)
            held.add(_grant_of(change.rule))
        else:
            self._enforcer.remove_named_grouping_policy(ptype, *params)
            held.discard(_grant_of(change.rule))
        self._decisions = {}

    async def _receive(self, message: Message) -> None:
        version = int(message["version"])
        if version <= self._version:
            return  # our own change, or one a reload already holds
        if version == self._version + 1:
            self._apply(PolicyChange(message["op"], tuple(message["rule"])))
            self._version = version
        else:
            await self.load()

    async def _catch_up(self) -> None:
        version = int(await self._redis.get(VERSION_KEY) or 0)
        if version != self._version:
            await self.load()


def _grant_of(rule: tuple[str, ...]) -> tuple[str, str | None]:
    """("g", sub, role, community) -> (role, community); ("g2", sub, role) -> (role, None)."""
    return (rule[2], rule[3]) if rule[0] == "g" else (rule[2], None)
