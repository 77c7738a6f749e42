"""The SQL condition every row-level-security policy uses: the row's community is the one
this transaction was opened for, or the transaction may see every community (the project
group, national audits). Both settings are transaction-local (`set_config(..., true)`); after
the transaction they read as '' and the condition is false: no tenant, no rows."""

from sqlalchemy import Subquery, Text, bindparam, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

# The settings in scalar subqueries: PostgreSQL reads them once per statement (init plans),
# not once per row as a bare current_setting() call is.
TENANT_VISIBLE = (
    "(community_id = (SELECT NULLIF(current_setting('app.community_id', true), '')::bigint) "
    "OR (SELECT current_setting('app.all_communities', true) = 'on'))"
)


async def scope_transaction(
    session: AsyncSession, community_id: int | None = None, *, all_communities: bool = False
) -> None:
    """Sets what this transaction may see. Transaction-local: it cannot outlive the
    transaction, so a pooled connection never carries one request's tenant into the next."""
    if community_id is None and not all_communities:
        return
    await session.execute(
        text(
            "SELECT set_config('app.community_id', :cid, true), "
            "set_config('app.all_communities', :all, true)"
        ),
        {
            "cid": "" if community_id is None else str(community_id),
            "all": "on" if all_communities else "",
        },
    )


def begin_scoped(community_id: int | None, all_communities: bool) -> str | None:
    """`BEGIN READ ONLY` and the same settings as `scope_transaction`, as one script for the
    driver's simple protocol (one round trip); None without a scope, when a read needs no
    transaction (`server/reads.py`)."""
    if community_id is None and not all_communities:
        return None
    return f"BEGIN READ ONLY; {_settings(community_id, all_communities)}"


def begin_writing(community_id: int | None, all_communities: bool) -> str:
    """`BEGIN READ WRITE` (the driver's sessions read only by default) and the settings, as
    one script, to which the write's first statement is joined (`server/writes.py`)."""
    return "; ".join(("BEGIN READ WRITE", _settings(community_id, all_communities)))


def _settings(community_id: int | None, all_communities: bool) -> str:
    """The values are an integer and a flag, never text from a request."""
    tenant = "" if community_id is None else str(int(community_id))
    everyone = "on" if all_communities else ""
    return (
        f"SELECT set_config('app.community_id', '{tenant}', true), "
        f"set_config('app.all_communities', '{everyone}', true)"
    )


# The bind parameters of `statement_scope`, valued by `statement_scope_values`.
SCOPE_COMMUNITY, SCOPE_ALL = "scope_community", "scope_all"


def statement_scope() -> Subquery:
    """The same settings made by the one statement that reads under them, for a read that
    is a single statement outside any transaction (`schema/core/compiled.py`): one round
    trip where `BEGIN`, the query and `COMMIT` are three.

    Outside an explicit transaction a statement is its own, so `set_config(..., true)` ends
    with it. The reading subqueries must refer to this subquery's columns (a correlated
    subquery runs once per row of its outer query, after that row is made), so they run
    after the settings. Were the order ever otherwise, a policy would read the setting
    still empty and the read would see no rows: it can never see another tenant's."""
    return select(
        func.set_config("app.community_id", bindparam(SCOPE_COMMUNITY, type_=Text), True).label(
            "community"
        ),
        func.set_config("app.all_communities", bindparam(SCOPE_ALL, type_=Text), True).label(
            "everyone"
        ),
    ).subquery("scope")


def statement_scope_values(community_id: int | None, all_communities: bool) -> dict[str, str]:
    return {
        SCOPE_COMMUNITY: "" if community_id is None else str(community_id),
        SCOPE_ALL: "on" if all_communities else "",
    }
