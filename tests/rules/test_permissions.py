"""Who may do what, written from the regulation's roles (Art. 14, 17, 18), not from
`policies/permissions.csv`: every role × every permission the code asks for × its own
community, another community and the programme as a whole, against the casbin enforcer the
application builds from that table. A row dropped from the table, or given to a weaker role,
changes a decision here (`make mutants` flips each row: docs/testing.md).

No database: the grants are handed to the enforcer as the policy loads them."""

import pytest

from policies.enforcer import (
    DEPUTY,
    EXPERT,
    EXPERT_ASSIGNED,
    LEADER,
    MEMBER,
    NATIONAL,
    PROJECT_GROUP,
    build_enforcer,
    permission_rules,
)
from policies.permissions import Permission

OWN, OTHER = "1", "2"  # the community the roles are held in, and another one

# Who holds what: one user per role, the community roles in OWN. An assigned expert holds
# the national EXPERT role too, as `assignExpert` requires.
HOLDERS: dict[str, list[tuple[str, ...]]] = {
    "project group": [("g2", "user:pg", PROJECT_GROUP)],
    "expert": [("g2", "user:expert", EXPERT)],
    "assigned expert": [
        ("g2", "user:assigned", EXPERT),
        ("g", "user:assigned", EXPERT_ASSIGNED, OWN),
    ],
    "leader": [("g", "user:leader", LEADER, OWN)],
    "deputy": [("g", "user:deputy", DEPUTY, OWN)],
    "member": [("g", "user:member", MEMBER, OWN)],
    "signed in, no role": [],
}
SUBJECT = {
    "project group": "user:pg",
    "expert": "user:expert",
    "assigned expert": "user:assigned",
    "leader": "user:leader",
    "deputy": "user:deputy",
    "member": "user:member",
    "signed in, no role": "user:nobody",
}

# Every (object, action) the code asks the guard about, and who may, in the community where
# the role is held. The project group runs the programme (Art. 17): it may do everything,
# everywhere, and it alone may do what concerns no single community.
IN_ONE_COMMUNITY: dict[tuple[str, str], set[str]] = {
    # A community's own pages: its people and the experts assigned to it.
    ("tenant", "read"): {"leader", "deputy", "member", "assigned expert"},
    # The leader runs the community (Art. 14, 18): members, cycle, history.
    ("auditlog", "read"): {"leader"},
    ("membership", "manage"): {"leader"},
    ("community", "renew"): {"leader"},
    # Deputies help with activities, attendance and reports.
    ("activity", "manage"): {"leader", "deputy"},
    ("attendance", "record"): {"leader", "deputy"},
    ("report", "submit"): {"leader", "deputy"},
    ("exit_reason", "read"): {"leader", "deputy"},
    # The sub-platform (Art. 5(6), 16(10)): its news, drafts included, and its profile.
    ("news", "write"): {"leader", "deputy"},
    ("profile", "edit"): {"leader", "deputy"},
    # Joint research (Art. 16(7)): the leader unit and deputies register sub-topics and
    # report on them; members read them (`tenant read`).
    ("sub_topic", "register"): {"leader", "deputy"},
    ("topic_report", "submit"): {"leader", "deputy"},
    # Achievements (Art. 6b, 16(6)): the leader and deputies record and share them (a unit's
    # staff their own unit's, by `works_for`); whoever belongs to a community, and every
    # expert, reads those shared with all communities.
    ("achievement", "write"): {"leader", "deputy"},
    ("shared_achievement", "read"): {"leader", "deputy", "member", "assigned expert"},
    # A holder community's certificates (Art. 6(5)) are printed by its leader and deputies.
    ("certificate", "download"): {"leader", "deputy"},
    # Nominations to an evaluation round (Art. 17(4)) come from the leader and deputies.
    ("nomination", "write"): {"leader", "deputy"},
    # Experts, assigned to the community or not, review the nominations the project group
    # assigns them (conflicts of interest are refused when assigning).
    ("achievement", "review"): {"assigned expert"},
    # Semi-annual reports go to the assigned experts (Art. 18(4)); other reports to the
    # project group (Art. 18(5), 19(3)).
    ("report_semi_annual", "review"): {"assigned expert"},
    ("report", "review"): set(),
    ("audit", "run"): {"leader", "assigned expert"},
    # The programme's own business: accounts, roles, sites, calls, communities, findings.
    ("role", "grant"): set(),
    ("role", "revoke"): set(),
    ("expert", "assign"): set(),
    ("user", "create"): set(),
    ("user", "deactivate"): set(),
    ("community", "create"): set(),
    ("unit", "create"): set(),
    ("unit", "withdraw"): set(),
    ("unit", "reinstate"): set(),
    ("call", "open"): set(),
    ("application", "review"): set(),
    ("application", "publish"): set(),
    ("programme", "read"): set(),
    ("finding", "waive"): set(),
    # The main platform's featured news (Art. 17(5): the working group runs it).
    ("news", "feature"): set(),
    # The national research topic and the review of sub-topics (Art. 17(3)).
    ("topic", "open"): set(),
    ("sub_topic", "review"): set(),
    # Recognitions and their certificates (Art. 6(5)): the project group grants and revokes.
    ("recognition", "grant"): set(),
    ("recognition", "revoke"): set(),
    # Evaluation rounds (Art. 17(4)): the project group opens and closes them, assigns experts.
    ("evaluation_round", "open"): set(),
    ("evaluation_round", "close"): set(),
    ("reviewer", "assign"): set(),
    # Fees (Art. 20): the project group sets the schedules, issues invoices, records
    # payments and refunds them; a community's leader reads the invoices charged through it (Art. 18(6): it
    # collects them). A unit's staff read their own unit's by the unit, not by a role.
    ("fee_schedule", "set"): set(),
    ("invoice", "issue"): set(),
    ("invoice", "cancel"): set(),
    ("payment", "record"): set(),
    ("payment", "refund"): set(),
    ("invoice", "read"): {"leader"},
}

WHERE = {"its own community": OWN, "another community": OTHER, "the programme": NATIONAL}
# What a national role holds wherever it is asked, beside the project group's everything: an
# expert, assigned or not, reads the achievements shared with all communities (Art. 6(2)).
# An expert, assigned or not, reviews the achievements assigned to it (Art. 17(4)) wherever
# they are from.
EVERYWHERE = {
    ("shared_achievement", "read"): {"expert", "assigned expert"},
    ("achievement", "review"): {"expert", "assigned expert"},
}


def _may(role: str, where: str, permission: tuple[str, str]) -> bool:
    if role == "project group" or role in EVERYWHERE.get(permission, ()):
        return True
    return where == "its own community" and role in IN_ONE_COMMUNITY[permission]


@pytest.fixture(scope="module")
def enforcer():
    return build_enforcer([rule for held in HOLDERS.values() for rule in held])


@pytest.mark.parametrize(
    "permission", list(IN_ONE_COMMUNITY), ids=[f"{o}-{a}" for o, a in IN_ONE_COMMUNITY]
)
def test_who_may_do_what_where(enforcer, permission):
    obj, act = permission
    expected = {(role, where): _may(role, where, permission) for role in HOLDERS for where in WHERE}

    decided = {
        (role, where): enforcer.enforce(SUBJECT[role], WHERE[where], obj, act)
        for role in HOLDERS
        for where in WHERE
    }

    assert {case: allowed for case, allowed in decided.items() if allowed != expected[case]} == {}


def test_every_row_of_the_table_grants_a_permission_listed_here():
    """A new row needs its line above, or nothing here would notice it dropped or widened."""
    granted = {(obj, act) for _, _, _, obj, act in permission_rules() if obj != "*"}

    assert granted <= set(IN_ONE_COMMUNITY)


def test_every_permission_the_code_asks_for_is_listed_here():
    # The code asks only through the `Permission` names (a bare string no longer type-checks).
    asked = {permission.value for permission in Permission}

    assert ("membership", "manage") in asked
    assert asked <= set(IN_ONE_COMMUNITY)


def test_the_table_has_no_comment_or_blank_line_among_its_rows():
    rules = permission_rules()

    assert rules and all(rule[0] == "p" and len(rule) == 5 for rule in rules)
    assert ["p", LEADER, "*", "membership", "manage"] in rules
