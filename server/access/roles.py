"""The programme's roles (Art. 14, 17), as clients name them."""

from policies.enforcer import EXPERT_ASSIGNED
from server.vocabulary import Labelled


class Role(Labelled):
    PROJECT_GROUP = "PROJECT_GROUP", "项目组", "Project group"
    EXPERT = "EXPERT", "专家", "Expert"
    LEADER = "LEADER", "组长", "Leader"
    DEPUTY = "DEPUTY", "副组长", "Deputy"
    MEMBER = "MEMBER", "成员", "Member"

    @property
    def is_national(self) -> bool:
        return self in (Role.PROJECT_GROUP, Role.EXPERT)


def role_of_grant(name: str) -> Role:
    """An expert's assignment to a community shows as EXPERT in that community."""
    return Role.EXPERT if name == EXPERT_ASSIGNED else Role(name)
