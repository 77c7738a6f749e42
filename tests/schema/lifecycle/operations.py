"""The life cycle's operations as clients send them."""

ERRORS = "errors { code message field }"

OPEN_CALL = f"""
mutation ($input: OpenApplicationCallInput!) {{
  openApplicationCall(input: $input) {{ call {{ id title year isOpen }} {ERRORS} }}
}}"""

SUBMIT_APPLICATION = f"""
mutation ($input: SubmitApplicationInput!) {{
  submitApplication(input: $input) {{
    application {{ id status unitName conditions {{ condition evidence }} }} {ERRORS}
  }}
}}"""

REVIEW_APPLICATION = f"""
mutation ($input: ReviewApplicationInput!) {{
  reviewApplication(input: $input) {{ application {{ id status reviewReason }} {ERRORS} }}
}}"""

PUBLISH = f"""
mutation ($input: PublishSiteListInput!) {{
  publishSiteList(input: $input) {{
    call {{ publishedOn }} sites {{ id name plaqueNumber siteStatus divisionCode }} {ERRORS}
  }}
}}"""

CREATE_UNIT = f"""
mutation ($input: CreateUnitInput!) {{
  createUnit(input: $input) {{ unit {{ id name plaqueNumber siteStatus }} {ERRORS} }}
}}"""

CREATE_COMMUNITY = f"""
mutation ($input: CreateCommunityInput!) {{
  createCommunity(input: $input) {{
    community {{ id slug cycleStart cycleEnd memberCount }} {ERRORS}
  }}
}}"""

ADD_MEMBER = f"""
mutation ($input: AddMemberInput!) {{
  addMember(input: $input) {{ membership {{ role status unit {{ name }} }} {ERRORS} }}
}}"""

LEAVE_COMMUNITY = f"""
mutation ($input: LeaveCommunityInput!) {{
  leaveCommunity(input: $input) {{ membership {{ status leftOn }} {ERRORS} }}
}}"""

CHANGE_ROLE = f"""
mutation ($input: ChangeMemberRoleInput!) {{
  changeMemberRole(input: $input) {{ memberships {{ role unit {{ id }} }} {ERRORS} }}
}}"""

RENEW = f"""
mutation ($input: RenewCycleInput!) {{
  renewCycle(input: $input) {{ community {{ cycleStart cycleEnd }} {ERRORS} }}
}}"""

WITHDRAW_SITE = f"""
mutation ($input: WithdrawSiteInput!) {{
  withdrawSite(input: $input) {{ unit {{ siteStatus }} {ERRORS} }}
}}"""

REINSTATE = f"""
mutation ($input: ReinstateInput!) {{
  reinstate(input: $input) {{ exit {{ reinstatedOn reinstatedReason }} unit {{ siteStatus }} {ERRORS} }}
}}"""

SCHEDULE = f"""
mutation ($input: ScheduleActivityInput!) {{
  scheduleActivity(input: $input) {{ activity {{ id kind heldOn expectedCount }} {ERRORS} }}
}}"""

RECORD = f"""
mutation ($input: RecordAttendanceInput!) {{
  recordAttendance(input: $input) {{
    activity {{ attendedCount absentCount excusedCount }}
    exits {{ id scope kind evidence unit {{ id name }} community {{ slug }} }}
    {ERRORS}
  }}
}}"""

IMPORT = f"""
mutation ($input: ImportAttendanceInput!) {{
  importAttendance(input: $input) {{
    activity {{ attendedCount absentCount excusedCount }}
    accepted rejected {{ line message }} rejectedCount exits {{ unit {{ name }} }}
    {ERRORS}
  }}
}}"""

SUBMIT_REPORT = f"""
mutation ($input: SubmitReportInput!) {{
  submitReport(input: $input) {{ report {{ id kind year half dueOn late }} {ERRORS} }}
}}"""

REVIEW_REPORT = f"""
mutation ($input: ReviewReportInput!) {{
  reviewReport(input: $input) {{ report {{ reviewComment reviewedAt }} {ERRORS} }}
}}"""

CONDITIONS = [
    "WILLINGNESS",
    "AUTHORITY_CONSENT",
    "SELF_FUNDED_ORGANISATION",
    "RESPONSIBLE_PERSON_AND_TEAM",
    "AREA_MOBILISATION",
    "ACCEPTS_GUIDANCE_AND_FEES",
    "ACCEPTS_RULES",
]


def application(call_id: str, name: str, division_code: str, level: str = "COUNTY") -> dict:
    return {
        "callId": call_id,
        "unit": {
            "name": name,
            "level": level,
            "divisionCode": division_code,
            "address": "浙江省杭州市",
            "responsiblePerson": "张老师",
            "projectTeam": "张老师（组长）、李老师、王老师",
        },
        "conditions": [{"condition": c, "evidence": f"{c}：见附件说明"} for c in CONDITIONS],
    }
