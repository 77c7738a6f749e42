"""Every permission the code checks, by name: one member per (object, action) of
`permissions.csv`, so a check names a permission that exists (`Permission.MEMBERSHIP_MANAGE`)
rather than two strings that casbin would quietly refuse if misspelt."""

import enum


class Permission(enum.Enum):
    # A community's own data, and what its leader and deputies run (Art. 14, 18)
    TENANT_READ = ("tenant", "read")
    AUDITLOG_READ = ("auditlog", "read")
    MEMBERSHIP_MANAGE = ("membership", "manage")
    COMMUNITY_RENEW = ("community", "renew")
    ACTIVITY_MANAGE = ("activity", "manage")
    ATTENDANCE_RECORD = ("attendance", "record")
    REPORT_SUBMIT = ("report", "submit")
    AUDIT_RUN = ("audit", "run")
    EXIT_REASON_READ = ("exit_reason", "read")
    # Its sub-platform (Art. 5(6), 16(10)): news, drafts included, and its profile
    NEWS_WRITE = ("news", "write")
    PROFILE_EDIT = ("profile", "edit")
    # Joint research (Art. 16(7)): its sub-topics and their reports
    SUB_TOPIC_REGISTER = ("sub_topic", "register")
    TOPIC_REPORT_SUBMIT = ("topic_report", "submit")
    # Its achievements (Art. 6b, 16(6)): submitted, edited and shared by its leader and deputies
    ACHIEVEMENT_WRITE = ("achievement", "write")
    # Achievements shared with all communities: read by whoever belongs to one, the experts
    # and the project group
    SHARED_ACHIEVEMENT_READ = ("shared_achievement", "read")
    # Its recognitions' certificates (Art. 6(5)): printed by its leader and deputies
    CERTIFICATE_DOWNLOAD = ("certificate", "download")
    # Its nominations of achievements to an evaluation round (Art. 17(4))
    NOMINATION_WRITE = ("nomination", "write")
    # Its fees (Art. 18(6)): the leader reads the invoices charged through its community
    INVOICE_READ = ("invoice", "read")
    # An assigned expert's (Art. 18(4))
    REPORT_SEMI_ANNUAL_REVIEW = ("report_semi_annual", "review")
    # An expert's, assigned to the community or not: the achievements assigned to it (17(4))
    ACHIEVEMENT_REVIEW = ("achievement", "review")
    # The project group's alone
    PROGRAMME_READ = ("programme", "read")
    COMMUNITY_CREATE = ("community", "create")
    REPORT_REVIEW = ("report", "review")
    FINDING_WAIVE = ("finding", "waive")
    UNIT_CREATE = ("unit", "create")
    UNIT_WITHDRAW = ("unit", "withdraw")
    UNIT_REINSTATE = ("unit", "reinstate")
    CALL_OPEN = ("call", "open")
    APPLICATION_REVIEW = ("application", "review")
    APPLICATION_PUBLISH = ("application", "publish")
    USER_CREATE = ("user", "create")
    USER_DEACTIVATE = ("user", "deactivate")
    ROLE_GRANT = ("role", "grant")
    ROLE_REVOKE = ("role", "revoke")
    EXPERT_ASSIGN = ("expert", "assign")
    NEWS_FEATURE = ("news", "feature")
    TOPIC_OPEN = ("topic", "open")
    SUB_TOPIC_REVIEW = ("sub_topic", "review")
    RECOGNITION_GRANT = ("recognition", "grant")
    RECOGNITION_REVOKE = ("recognition", "revoke")
    EVALUATION_ROUND_OPEN = ("evaluation_round", "open")
    EVALUATION_ROUND_CLOSE = ("evaluation_round", "close")
    REVIEWER_ASSIGN = ("reviewer", "assign")
    # Fees (Art. 20): schedules, invoices and the payments recorded against them
    FEE_SCHEDULE_SET = ("fee_schedule", "set")
    INVOICE_ISSUE = ("invoice", "issue")
    INVOICE_CANCEL = ("invoice", "cancel")
    PAYMENT_RECORD = ("payment", "record")
    PAYMENT_REFUND = ("payment", "refund")

    # Attributes, not properties over `value`: every permission check reads both.
    object: str
    action: str

    def __init__(self, object: str, action: str) -> None:
        self.object = object
        self.action = action
