"""`Permission` names exactly the permissions of `permissions.csv`: a row the code cannot name
is dead, a member without a row is a check casbin refuses for everyone but the project group."""

from policies.enforcer import COMMUNITY_ROLES, GLOBAL_ROLES, build_enforcer, permission_rules
from policies.permissions import Permission

WILDCARD = "*"


def _rows() -> list[tuple[str, str, str]]:
    """(role, object, action) of each `p` row but the project group's `*, *`."""
    return [
        (role, obj, act)
        for _, role, _, obj, act in permission_rules()
        if (obj, act) != (WILDCARD, WILDCARD)
    ]


def test_every_row_of_the_table_is_a_permission():
    named = {p.value for p in Permission}

    unnamed = {(obj, act) for _, obj, act in _rows()} - named

    assert not unnamed, f"rows of permissions.csv with no Permission member: {unnamed}"


def test_every_permission_has_a_row_of_the_table():
    in_table = {(obj, act) for _, obj, act in _rows()}

    missing = [p.name for p in Permission if p.value not in in_table]

    assert not missing, f"Permission members with no row in permissions.csv: {missing}"


def test_the_table_names_only_known_roles_and_no_half_wildcards():
    roles = set(GLOBAL_ROLES) | set(COMMUNITY_ROLES)

    for role, obj, act in _rows():
        assert role in roles, role
        assert WILDCARD not in (obj, act), (role, obj, act)


def test_the_project_groups_own_rows_grant_nobody_else():
    # A leader runs its community (Art. 14) but forms none (Art. 9: the project group does).
    enforcer = build_enforcer([("g", "user:1", "LEADER", "7"), ("g2", "user:2", "PROJECT_GROUP")])

    assert enforcer.enforce("user:1", "7", *Permission.MEMBERSHIP_MANAGE.value)
    assert not enforcer.enforce("user:1", "7", *Permission.COMMUNITY_CREATE.value)
    assert not enforcer.enforce("user:1", "", *Permission.USER_CREATE.value)
    assert all(enforcer.enforce("user:2", "", *p.value) for p in Permission)
