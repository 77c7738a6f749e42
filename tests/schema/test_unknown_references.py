"""Every community slug and every id a mutation's input takes, blank, of another type or of
nothing, is refused as NOT_FOUND in the payload and changes nothing: never an internal error,
never "every community".

A new input field holding a slug or an id without a row here fails
`test_every_reference_in_a_mutations_input_has_a_row`."""

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from graphql import GraphQLInputObjectType, GraphQLList, GraphQLNonNull, get_named_type

from schema.api import SCHEMA
from schema.core import ids
from schema.core.strawberry_private import graphql_schema
from tests.graphql import gql
from tests.schema.access.test_policy_matrix import World, _world
from tests.schema.lifecycle.operations import application
from tests.state import row_counts

BIG = 2**62  # a well-formed key no row has


@dataclass(frozen=True)
class Case:
    valid: Callable[[World, str], dict[str, Any]]  # an input naming what exists
    path: tuple[str | int, ...]  # where the reference sits in it
    kind: str | None  # the id's type name; None for a community slug
    arity: int = 1
    # What a well-formed id of nothing answers, where that is not NOT_FOUND.
    unknown_is: str = "NOT_FOUND"
    # Who asks: the project group, but for what only an assigned expert does.
    role: str = "project_group"


def _unit(w: World) -> str:
    return w.units[1]


def _new_community(n: int, leader: str, deputies: list[str], members: list[str]) -> dict:
    """A `createCommunity` input that names these units and is otherwise valid."""
    return {
        "slug": f"formed-{n}",
        "name": "新共同体",
        "region": "YANGTZE_RIVER_DELTA",
        "level": "COUNTY",
        "themes": ["ELDERLY_EDUCATION"],
        "cycleStart": "2026-01-01",
        "leaderUnitId": leader,
        "deputyUnitIds": deputies,
        "memberUnitIds": members,
    }


def _grant_deputy(w: World, _: str) -> dict:
    return {"userId": w.target_user, "role": "DEPUTY", "communitySlug": w.slug}


def _revoke_member(w: World, _: str) -> dict:
    return {"userId": w.target_member, "role": "MEMBER", "communitySlug": w.slug}


def _sub_topic(w: World, _: str) -> dict:
    return {
        "topicId": w.topic,
        "communitySlug": w.slug,
        "unitId": w.units[1],
        "title": "社区老年学习子课题",
        "leaderName": "王老师",
        "memberUnitIds": [w.units[2]],
        "plan": "三年计划",
    }


def _topic_report(w: World, _: str) -> dict:
    return {
        "subTopicId": w.approved_sub_topic,
        "stage": "PROGRESS",
        "body": "进展",
        "achievementIds": [w.achievement],
    }


def _achievement(w: World, upload: str) -> dict:
    return {
        "kind": "COURSE_RESOURCE",
        "communitySlug": w.slug,
        "unitId": w.units[1],
        "title": "老年智能手机课程",
        "summary": "十二讲",
        "authors": ["李老师"],
        "subTopicId": w.approved_sub_topic,
        "uploadIds": [upload],
        "visibility": "PUBLIC",
        "subject": "老年教育",
        "audience": "老年学习者",
        "format": "视频",
    }


CASES: dict[str, Case] = {
    "createCommunity.leaderUnitId": Case(
        lambda w, _: _new_community(w.n, w.site, [], w.units[1:]),
        ("leaderUnitId",),
        "Unit",
    ),
    "createCommunity.deputyUnitIds": Case(
        lambda w, _: _new_community(w.n, w.site, [w.units[1]], [w.units[2]]),
        ("deputyUnitIds", 0),
        "Unit",
    ),
    "createCommunity.memberUnitIds": Case(
        lambda w, _: _new_community(w.n, w.site, [], w.units[1:]),
        ("memberUnitIds", 0),
        "Unit",
    ),
    "addMember.communitySlug": Case(
        lambda w, _: {"communitySlug": w.slug, "unitId": w.site, "role": "MEMBER"},
        ("communitySlug",),
        None,
    ),
    "addMember.unitId": Case(
        lambda w, _: {"communitySlug": w.slug, "unitId": w.site, "role": "MEMBER"},
        ("unitId",),
        "Unit",
    ),
    "leaveCommunity.communitySlug": Case(
        lambda w, _: {"communitySlug": w.slug, "unitId": w.units[2], "reason": "书面申请"},
        ("communitySlug",),
        None,
    ),
    "leaveCommunity.unitId": Case(
        lambda w, _: {"communitySlug": w.slug, "unitId": w.units[2], "reason": "书面申请"},
        ("unitId",),
        "Unit",
    ),
    "changeMemberRole.communitySlug": Case(
        lambda w, _: {"communitySlug": w.slug, "unitId": _unit(w), "role": "DEPUTY"},
        ("communitySlug",),
        None,
    ),
    "changeMemberRole.unitId": Case(
        lambda w, _: {"communitySlug": w.slug, "unitId": _unit(w), "role": "DEPUTY"},
        ("unitId",),
        "Unit",
    ),
    "renewCycle.communitySlug": Case(
        lambda w, _: {"communitySlug": w.slug}, ("communitySlug",), None
    ),
    "submitReport.communitySlug": Case(
        lambda w, _: {
            "communitySlug": w.slug,
            "kind": "MEMBER_ANNUAL",
            "year": 2026,
            "unitId": _unit(w),
            "title": "年度总结",
            "body": "全年工作",
        },
        ("communitySlug",),
        None,
    ),
    "submitReport.unitId": Case(
        lambda w, _: {
            "communitySlug": w.slug,
            "kind": "MEMBER_ANNUAL",
            "year": 2026,
            "unitId": _unit(w),
            "title": "年度总结",
            "body": "全年工作",
        },
        ("unitId",),
        "Unit",
    ),
    "reviewReport.reportId": Case(
        lambda w, _: {"reportId": w.semi_annual, "comment": "意见"}, ("reportId",), "Report", 2
    ),
    "scheduleActivity.communitySlug": Case(
        lambda w, _: {
            "communitySlug": w.slug,
            "kind": "SEMINAR",
            "title": "研讨会",
            "heldOn": "2026-06-01",
        },
        ("communitySlug",),
        None,
    ),
    "scheduleActivity.expectedUnitIds": Case(
        lambda w, _: {
            "communitySlug": w.slug,
            "kind": "SEMINAR",
            "title": "研讨会",
            "heldOn": "2026-06-01",
            "expectedUnitIds": [_unit(w)],
        },
        ("expectedUnitIds", 0),
        "Unit",
        # A unit that is not an active member cannot be expected, whether or not it exists.
        unknown_is="INVALID_INPUT",
    ),
    "recordAttendance.activityId": Case(
        lambda w, _: {
            "activityId": w.activity,
            "entries": [{"unitId": _unit(w), "status": "ATTENDED"}],
        },
        ("activityId",),
        "Activity",
        2,
    ),
    "recordAttendance.entries.unitId": Case(
        lambda w, _: {
            "activityId": w.activity,
            "entries": [{"unitId": _unit(w), "status": "ATTENDED"}],
        },
        ("entries", 0, "unitId"),
        "Unit",
        # A unit the activity does not expect cannot be marked, whether or not it exists.
        unknown_is="INVALID_INPUT",
    ),
    "importAttendance.activityId": Case(
        lambda w, upload: {"activityId": w.activity, "uploadId": upload},
        ("activityId",),
        "Activity",
        2,
    ),
    "importAttendance.uploadId": Case(
        lambda w, upload: {"activityId": w.activity, "uploadId": upload}, ("uploadId",), "Upload"
    ),
    "grantRole.userId": Case(
        _grant_deputy,
        ("userId",),
        "User",
    ),
    "grantRole.communitySlug": Case(
        _grant_deputy,
        ("communitySlug",),
        None,
    ),
    "revokeRole.userId": Case(
        _revoke_member,
        ("userId",),
        "User",
    ),
    "revokeRole.communitySlug": Case(
        _revoke_member,
        ("communitySlug",),
        None,
    ),
    "assignExpert.userId": Case(
        lambda w, _: {"userId": w.free_expert, "communitySlug": w.slug}, ("userId",), "User"
    ),
    "assignExpert.communitySlug": Case(
        lambda w, _: {"userId": w.free_expert, "communitySlug": w.slug}, ("communitySlug",), None
    ),
    # Was an internal error: the account's insert failed on its foreign key.
    "createUser.unitId": Case(
        lambda w, _: {
            "email": f"staff{w.n}@example.cn",
            "password": "long-enough-pw",
            "displayName": "工作人员",
            "unitId": _unit(w),
        },
        ("unitId",),
        "Unit",
    ),
    "deactivateUser.userId": Case(lambda w, _: {"userId": w.target_user}, ("userId",), "User"),
    "withdrawSite.unitId": Case(
        lambda w, _: {"unitId": w.site, "reason": "撤并"}, ("unitId",), "Unit"
    ),
    "reinstate.exitId": Case(
        lambda w, _: {"exitId": w.exit, "reason": "经核实恢复"}, ("exitId",), "Exit"
    ),
    "submitApplication.callId": Case(
        lambda w, _: _application(w, None), ("callId",), "ApplicationCall"
    ),
    "submitApplication.conditions.uploadId": Case(
        lambda w, upload: _application(w, upload), ("conditions", 0, "uploadId"), "Upload"
    ),
    "reviewApplication.applicationId": Case(
        lambda w, _: {"applicationId": w.application, "decision": "APPROVE"},
        ("applicationId",),
        "Application",
    ),
    "publishSiteList.callId": Case(lambda w, _: {"callId": w.call}, ("callId",), "ApplicationCall"),
    "runAudit.communitySlug": Case(
        lambda w, _: {"communitySlug": w.slug}, ("communitySlug",), None
    ),
    "waiveFinding.findingId": Case(
        lambda w, _: {"findingId": w.finding, "reason": "已书面说明"}, ("findingId",), "Finding", 2
    ),
    "createNews.communitySlug": Case(
        lambda w, _: {"communitySlug": w.slug, "title": "新闻", "body": "正文"},
        ("communitySlug",),
        None,
    ),
    "createNews.coverUploadId": Case(
        lambda w, _: {"communitySlug": w.slug, "title": "新闻", "body": "正文"},
        ("coverUploadId",),
        "Upload",
    ),
    "updateNews.id": Case(lambda w, _: {"id": w.news, "title": "改"}, ("id",), "News", 2),
    "updateNews.coverUploadId": Case(
        lambda w, _: {"id": w.news, "title": "改"}, ("coverUploadId",), "Upload"
    ),
    "publishNews.id": Case(lambda w, _: {"id": w.news}, ("id",), "News", 2),
    "unpublishNews.id": Case(lambda w, _: {"id": w.news}, ("id",), "News", 2),
    "featureNews.id": Case(lambda w, _: {"id": w.news, "featured": True}, ("id",), "News", 2),
    "updateCommunityProfile.communitySlug": Case(
        lambda w, _: {"communitySlug": w.slug, "colour": "#1a5fb4"}, ("communitySlug",), None
    ),
    "updateCommunityProfile.logoUploadId": Case(
        lambda w, _: {"communitySlug": w.slug}, ("logoUploadId",), "Upload"
    ),
    "updateCommunityProfile.bannerUploadId": Case(
        lambda w, _: {"communitySlug": w.slug}, ("bannerUploadId",), "Upload"
    ),
    "setActivityPublic.activityId": Case(
        lambda w, _: {"activityId": w.activity, "isPublic": True}, ("activityId",), "Activity", 2
    ),
    "registerSubTopic.topicId": Case(_sub_topic, ("topicId",), "ResearchTopic"),
    "registerSubTopic.communitySlug": Case(_sub_topic, ("communitySlug",), None),
    "registerSubTopic.unitId": Case(_sub_topic, ("unitId",), "Unit"),
    "registerSubTopic.memberUnitIds": Case(_sub_topic, ("memberUnitIds", 0), "Unit"),
    "reviewSubTopic.id": Case(
        lambda w, _: {"id": w.pending_sub_topic, "decision": "APPROVE"}, ("id",), "SubTopic", 2
    ),
    "submitTopicReport.subTopicId": Case(_topic_report, ("subTopicId",), "SubTopic", 2),
    "submitTopicReport.achievementIds": Case(
        _topic_report, ("achievementIds", 0), "Achievement", 2
    ),
    "submitAchievement.communitySlug": Case(_achievement, ("communitySlug",), None),
    "submitAchievement.unitId": Case(_achievement, ("unitId",), "Unit"),
    "submitAchievement.subTopicId": Case(_achievement, ("subTopicId",), "SubTopic", 2),
    "submitAchievement.uploadIds": Case(_achievement, ("uploadIds", 0), "Upload"),
    "updateAchievement.id": Case(
        lambda w, _: {"id": w.achievement, "title": "改"}, ("id",), "Achievement", 2
    ),
    "updateAchievement.subTopicId": Case(
        lambda w, _: {"id": w.achievement, "subTopicId": w.approved_sub_topic},
        ("subTopicId",),
        "SubTopic",
        2,
    ),
    "updateAchievement.uploadIds": Case(
        lambda w, upload: {"id": w.achievement, "uploadIds": [upload]},
        ("uploadIds", 0),
        "Upload",
    ),
    "setAchievementVisibility.id": Case(
        lambda w, _: {"id": w.achievement, "visibility": "PUBLIC"}, ("id",), "Achievement", 2
    ),
    "grantRecognition.communitySlug": Case(
        lambda w, _: {"kind": "FEATURED_COMMUNITY", "year": 2026, "communitySlug": w.slug},
        ("communitySlug",),
        None,
    ),
    "grantRecognition.unitId": Case(
        lambda w, _: {"kind": "FEATURED_UNIT", "year": 2026, "unitId": w.units[1]},
        ("unitId",),
        "Unit",
    ),
    # The community's achievement, not ranked in any round: INVALID_INPUT, not NOT_FOUND.
    "grantRecognition.achievementId": Case(
        lambda w, _: {
            "kind": "ACHIEVEMENT_AWARD",
            "year": 2026,
            "prize": "FIRST",
            "achievementId": w.achievement,
        },
        ("achievementId",),
        "Achievement",
        2,
    ),
    "revokeRecognition.id": Case(
        lambda w, _: {"id": w.recognition, "reason": "录入错误"}, ("id",), "Recognition"
    ),
    "nominate.roundId": Case(
        lambda w, _: {"roundId": w.round, "achievementId": w.achievement},
        ("roundId",),
        "EvaluationRound",
    ),
    "nominate.achievementId": Case(
        lambda w, _: {"roundId": w.round, "achievementId": w.achievement},
        ("achievementId",),
        "Achievement",
        2,
    ),
    "assignReviewer.nominationId": Case(
        lambda w, _: {"nominationId": w.nomination, "expertUserId": w.free_expert},
        ("nominationId",),
        "Nomination",
        2,
    ),
    "assignReviewer.expertUserId": Case(
        lambda w, _: {"nominationId": w.nomination, "expertUserId": w.free_expert},
        ("expertUserId",),
        "User",
    ),
    "declareConflict.assignmentId": Case(
        lambda w, _: {"assignmentId": w.assignment, "reason": "曾指导该成果"},
        ("assignmentId",),
        "ReviewAssignment",
        2,
        role="expert",
    ),
    "submitReview.assignmentId": Case(
        lambda w, _: {
            "assignmentId": w.assignment,
            "scores": [{"criterion": "创新性", "score": 90}],
            "comment": "好",
        },
        ("assignmentId",),
        "ReviewAssignment",
        2,
        role="expert",
    ),
    "closeEvaluationRound.roundId": Case(
        lambda w, _: {"roundId": w.round}, ("roundId",), "EvaluationRound"
    ),
    "issueInvoice.communitySlug": Case(
        lambda w, _: _invoice({"communitySlug": w.slug}), ("communitySlug",), None
    ),
    "issueInvoice.unitId": Case(lambda w, _: _invoice({"unitId": w.units[1]}), ("unitId",), "Unit"),
    "issueMemberInvoices.communitySlug": Case(
        lambda w, _: _invoice({"communitySlug": w.slug}), ("communitySlug",), None
    ),
    "issueAttendeeInvoices.activityId": Case(
        lambda w, _: _invoice({"activityId": w.activity}), ("activityId",), "Activity", 2
    ),
    "recordPayment.invoiceId": Case(
        lambda w, _: {
            "invoiceId": w.invoice,
            "amountFen": 100,
            "paidOn": "2026-01-05",
            "method": "转账",
            "idempotencyKey": "k",
        },
        ("invoiceId",),
        "Invoice",
        2,
    ),
    "refundPayment.invoiceId": Case(
        lambda w, _: {
            "invoiceId": w.invoice,
            "amountFen": 100,
            "refundedOn": "2026-01-05",
            "method": "转账",
            "reason": "退还",
            "idempotencyKey": "r",
        },
        ("invoiceId",),
        "Invoice",
        2,
    ),
    "cancelInvoice.id": Case(
        lambda w, _: {"id": w.invoice, "reason": "重复开具"}, ("id",), "Invoice", 2
    ),
    "markNotificationsRead.notificationIds": Case(
        lambda w, _: {"notificationIds": []},
        ("notificationIds", 0),
        "Notification",
        # Marks the signed-in user's own: an id of none of them marks nothing.
        unknown_is="",
    ),
}


def _invoice(target: dict[str, str]) -> dict[str, Any]:
    """An `issueInvoice` (or `issueMemberInvoices`, `issueAttendeeInvoices`) input charging
    `target`."""
    return {**target, "dueOn": "2026-12-31", "lines": [{"kind": "CONFERENCE", "amountFen": 100}]}


def _application(w: World, upload: str | None) -> dict[str, Any]:
    made = application(w.call, "申报单位", f"3302{w.n % 90 + 10:02d}")
    if upload is not None:
        made["conditions"][0]["uploadId"] = upload
    return made


def _bad_values(case: Case, w: World) -> dict[str, str]:
    if case.kind is None:
        return {"blank": "", "spaces": "   ", "unknown": "no-such-community"}
    community = int(ids.decode(w.community_id)[1][0])
    keys = (community, BIG) if case.arity == 2 else (BIG,)
    return {
        "blank": "",
        "not an id": "no-such-id",
        "another type's": w.community_id,
        "unknown": ids.encode(case.kind, *keys),
    }


def _put(document: dict[str, Any], path: tuple[str | int, ...], value: str) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    place: Any = changed
    for step in path[:-1]:
        place = place[step]
    if isinstance(path[-1], int) and len(place) <= path[-1]:
        place.append(value)
    else:
        place[path[-1]] = value
    return changed


def _document(mutation: str) -> str:
    input_type = graphql_schema(SCHEMA).mutation_type.fields[mutation].args["input"].type
    return (
        f"mutation ($input: {input_type}) {{ {mutation}(input: $input) {{ errors {{ code }} }} }}"
    )


async def _upload(client, headers: dict[str, str]) -> str:
    response = await client.post(
        "/uploads",
        content="单位名称,出勤\n测试单位,出席\n".encode(),
        headers={**headers, "X-Filename": "sheet.csv"},
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.mark.parametrize("reference", list(CASES))
async def test_a_blank_or_unknown_reference_is_not_found_and_changes_nothing(
    client, runtime, owner, reference
):
    world, headers = await _world(runtime)
    case = CASES[reference]
    pg = headers[case.role]
    mutation = reference.split(".")[0]
    valid = case.valid(world, await _upload(client, pg))
    before = await row_counts(owner)

    for what, value in _bad_values(case, world).items():
        body = await gql(
            client, _document(mutation), {"input": _put(valid, case.path, value)}, headers=pg
        )

        assert "errors" not in body, (what, body)
        codes = [e["code"] for e in body["data"][mutation]["errors"]]
        expected = case.unknown_is if what == "unknown" else "NOT_FOUND"
        assert codes == ([expected] if expected else []), (what, body)
    assert await row_counts(owner) == before

    # The same input naming what exists is not NOT_FOUND: the bad value was what was refused.
    body = await gql(client, _document(mutation), {"input": valid}, headers=pg)
    assert "NOT_FOUND" not in [e["code"] for e in body["data"][mutation]["errors"]], body


def _references(input_type: GraphQLInputObjectType, prefix: str) -> set[str]:
    found = set()
    for name, field in input_type.fields.items():
        named = get_named_type(field.type)
        if isinstance(named, GraphQLInputObjectType):
            found |= _references(named, f"{prefix}{name}.")
        elif named.name == "ID" or name == "communitySlug":
            found.add(f"{prefix}{name}")
    return found


def test_every_reference_in_a_mutations_input_has_a_row():
    references = set()
    for name, field in graphql_schema(SCHEMA).mutation_type.fields.items():
        if "input" in field.args:
            input_type = field.args["input"].type
            while isinstance(input_type, GraphQLNonNull | GraphQLList):
                input_type = input_type.of_type
            references |= _references(input_type, f"{name}.")
    assert references == set(CASES)
