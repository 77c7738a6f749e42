"""Admission (Art. 7, 8(1)): every refusal has a code and changes nothing."""

import datetime as dt

import pytest

from server.clock import today
from tests import files
from tests.factories import bearer, make_user
from tests.graphql import gql, mutate, refusal
from tests.schema.lifecycle.operations import (
    CREATE_UNIT,
    OPEN_CALL,
    PUBLISH,
    REVIEW_APPLICATION,
    SUBMIT_APPLICATION,
    application,
)
from tests.state import row_counts

PDF = files.pdf()


@pytest.fixture
async def pg(runtime) -> dict[str, str]:
    _, token = await make_user(runtime, "pg@example.cn", ("PROJECT_GROUP", None))
    return bearer(token)


@pytest.fixture
async def applicant(runtime) -> dict[str, str]:
    _, token = await make_user(runtime, "applicant@example.cn")
    return bearer(token)


async def open_call(client, pg, opens: int = -10, closes: int = 10, year: int = 0) -> str:
    """A call for `year` years from now (0: this year), open from `opens` to `closes` days."""
    now = today()
    payload = await mutate(
        client,
        OPEN_CALL,
        {
            "input": {
                "title": "项目实验点申报",
                "year": now.year + year,
                "opensOn": (now + dt.timedelta(days=opens)).isoformat(),
                "closesOn": (now + dt.timedelta(days=closes)).isoformat(),
            }
        },
        headers=pg,
    )
    return payload["call"]["id"]


async def test_a_call_that_closes_before_it_opens_is_refused(client, pg, owner):
    before = await row_counts(owner)
    error = await refusal(
        client,
        OPEN_CALL,
        {
            "input": {
                "title": "申报",
                "year": 2026,
                "opensOn": "2026-05-01",
                "closesOn": "2026-04-30",
            }
        },
        headers=pg,
    )
    assert (error["code"], error["field"]) == ("INVALID_INPUT", "closesOn")
    assert await row_counts(owner) == before


@pytest.mark.parametrize(("opens", "closes"), [(-20, -1), (1, 20)], ids=["closed", "not-yet-open"])
async def test_applying_outside_the_call_is_call_closed(
    client, pg, applicant, owner, opens, closes
):
    call_id = await open_call(client, pg, opens, closes)
    before = await row_counts(owner)

    error = await refusal(
        client,
        SUBMIT_APPLICATION,
        {"input": application(call_id, "西湖区社区学院", "330106")},
        headers=applicant,
    )

    assert error["code"] == "CALL_CLOSED"
    assert await row_counts(owner) == before


async def test_a_second_application_for_the_same_division_is_duplicate(
    client, pg, applicant, owner
):
    call_id = await open_call(client, pg)
    first = application(call_id, "西湖区社区学院", "330106")
    await mutate(client, SUBMIT_APPLICATION, {"input": first}, headers=applicant)
    before = await row_counts(owner)

    error = await refusal(client, SUBMIT_APPLICATION, {"input": first}, headers=applicant)

    assert (error["code"], error["field"]) == ("DUPLICATE", "unit.divisionCode")
    assert await row_counts(owner) == before


async def test_one_application_per_division_per_call_not_per_programme(client, pg, applicant):
    """A division refused, or not published, applies again to the next call; another division
    applies to the same call."""
    first_call = await open_call(client, pg)
    next_call = await open_call(client, pg)
    await mutate(
        client,
        SUBMIT_APPLICATION,
        {"input": application(first_call, "西湖区社区学院", "330106")},
        headers=applicant,
    )

    again = await mutate(
        client,
        SUBMIT_APPLICATION,
        {"input": application(next_call, "西湖区社区学院", "330106")},
        headers=applicant,
    )

    neighbour = await mutate(
        client,
        SUBMIT_APPLICATION,
        {"input": application(first_call, "上城区社区学院", "330102")},
        headers=applicant,
    )

    assert again["application"]["id"] and neighbour["application"]["id"]


async def test_plaque_numbers_count_from_0001_in_each_calls_year(client, pg, applicant):
    year = today().year
    published = {}
    for offset, name, code in [(-1, "西湖区社区学院", "330106"), (0, "上城区社区学院", "330102")]:
        call_id = await open_call(client, pg, year=offset)
        submitted = await mutate(
            client,
            SUBMIT_APPLICATION,
            {"input": application(call_id, name, code)},
            headers=applicant,
        )
        await mutate(
            client,
            REVIEW_APPLICATION,
            {"input": {"applicationId": submitted["application"]["id"], "decision": "APPROVE"}},
            headers=pg,
        )
        sites = await mutate(client, PUBLISH, {"input": {"callId": call_id}}, headers=pg)
        published |= {s["name"]: s["plaqueNumber"] for s in sites["sites"]}

    assert published == {
        "西湖区社区学院": f"LLC-{year - 1}-0001",
        "上城区社区学院": f"LLC-{year}-0001",
    }


async def test_every_one_of_the_seven_conditions_must_be_answered(client, pg, applicant, owner):
    call_id = await open_call(client, pg)
    incomplete = application(call_id, "西湖区社区学院", "330106")
    incomplete["conditions"] = incomplete["conditions"][:6]
    empty = application(call_id, "西湖区社区学院", "330106")
    empty["conditions"][2]["evidence"] = "  "
    before = await row_counts(owner)

    missing = await refusal(client, SUBMIT_APPLICATION, {"input": incomplete}, headers=applicant)
    blank = await refusal(client, SUBMIT_APPLICATION, {"input": empty}, headers=applicant)

    assert (missing["code"], missing["field"]) == ("INVALID_INPUT", "conditions")
    assert "遵守管理办法全部内容" in missing["message"]  # the one left out, named
    assert (blank["code"], blank["field"]) == ("INVALID_INPUT", "conditions.2.evidence")
    assert await row_counts(owner) == before


async def test_a_division_code_that_does_not_fit_the_level_is_refused(client, pg, applicant, owner):
    call_id = await open_call(client, pg)
    before = await row_counts(owner)

    township_code = application(call_id, "西湖区社区学院", "330106001", level="COUNTY")
    error = await refusal(client, SUBMIT_APPLICATION, {"input": township_code}, headers=applicant)

    assert (error["code"], error["field"]) == ("INVALID_INPUT", "unit.divisionCode")
    assert await row_counts(owner) == before


async def test_an_application_is_reviewed_once(client, pg, applicant, owner):
    call_id = await open_call(client, pg)
    submitted = await mutate(
        client,
        SUBMIT_APPLICATION,
        {"input": application(call_id, "西湖区社区学院", "330106")},
        headers=applicant,
    )
    application_id = submitted["application"]["id"]
    await mutate(
        client,
        REVIEW_APPLICATION,
        {"input": {"applicationId": application_id, "decision": "APPROVE"}},
        headers=pg,
    )
    before = await row_counts(owner)

    error = await refusal(
        client,
        REVIEW_APPLICATION,
        {"input": {"applicationId": application_id, "decision": "REJECT", "reason": "改主意"}},
        headers=pg,
    )

    assert error["code"] == "INVALID_TRANSITION"
    assert await row_counts(owner) == before


async def test_a_rejection_needs_a_reason(client, pg, applicant, owner):
    call_id = await open_call(client, pg)
    submitted = await mutate(
        client,
        SUBMIT_APPLICATION,
        {"input": application(call_id, "西湖区社区学院", "330106")},
        headers=applicant,
    )
    before = await row_counts(owner)

    error = await refusal(
        client,
        REVIEW_APPLICATION,
        {"input": {"applicationId": submitted["application"]["id"], "decision": "REJECT"}},
        headers=pg,
    )

    assert (error["code"], error["field"]) == ("INVALID_INPUT", "reason")
    assert await row_counts(owner) == before


async def test_publishing_a_call_with_nothing_approved_is_refused(client, pg, owner):
    call_id = await open_call(client, pg)
    before = await row_counts(owner)

    error = await refusal(client, PUBLISH, {"input": {"callId": call_id}}, headers=pg)

    assert error["code"] == "INVALID_TRANSITION"
    assert await row_counts(owner) == before


async def test_plaques_are_stable_when_a_call_is_published_again(client, pg, applicant):
    call_id = await open_call(client, pg)
    ids = []
    for name, code in [("西湖区社区学院", "330106"), ("上城区社区学院", "330102")]:
        submitted = await mutate(
            client,
            SUBMIT_APPLICATION,
            {"input": application(call_id, name, code)},
            headers=applicant,
        )
        ids.append(submitted["application"]["id"])
    await mutate(
        client,
        REVIEW_APPLICATION,
        {"input": {"applicationId": ids[0], "decision": "APPROVE"}},
        headers=pg,
    )
    first = await mutate(client, PUBLISH, {"input": {"callId": call_id}}, headers=pg)
    await mutate(
        client,
        REVIEW_APPLICATION,
        {"input": {"applicationId": ids[1], "decision": "APPROVE"}},
        headers=pg,
    )

    second = await mutate(client, PUBLISH, {"input": {"callId": call_id}}, headers=pg)

    year = today().year
    assert [s["plaqueNumber"] for s in first["sites"]] == [f"LLC-{year}-0001"]
    assert [(s["name"], s["plaqueNumber"]) for s in second["sites"]] == [
        ("上城区社区学院", f"LLC-{year}-0002")
    ]
    units = await gql(client, "{ units { edges { node { name plaqueNumber } } } }")
    assert {
        e["node"]["name"]: e["node"]["plaqueNumber"] for e in units["data"]["units"]["edges"]
    } == {
        "西湖区社区学院": f"LLC-{year}-0001",
        "上城区社区学院": f"LLC-{year}-0002",
    }


async def test_the_project_group_registers_an_existing_site_once(client, pg, owner):
    made = await mutate(
        client,
        CREATE_UNIT,
        {"input": {"name": "北京市朝阳区社区学院", "level": "COUNTY", "divisionCode": "110105"}},
        headers=pg,
    )
    assert made["unit"]["plaqueNumber"] == f"LLC-{today().year}-0001"
    assert made["unit"]["siteStatus"] == "ACTIVE"
    before = await row_counts(owner)

    error = await refusal(
        client,
        CREATE_UNIT,
        {"input": {"name": "朝阳社区学院", "level": "COUNTY", "divisionCode": "110105"}},
        headers=pg,
    )

    assert (error["code"], error["field"]) == ("DUPLICATE", "divisionCode")
    assert await row_counts(owner) == before


APPLICATIONS = "{ applications { totalCount edges { node { id unitName } } } }"


async def test_an_applicant_sees_its_own_applications_and_the_project_group_all(
    client, runtime, pg, applicant
):
    call_id = await open_call(client, pg)
    _, other_token = await make_user(runtime, "other@example.cn")
    mine = await mutate(
        client,
        SUBMIT_APPLICATION,
        {"input": application(call_id, "西湖区社区学院", "330106")},
        headers=applicant,
    )
    await mutate(
        client,
        SUBMIT_APPLICATION,
        {"input": application(call_id, "上城区社区学院", "330102")},
        headers=bearer(other_token),
    )

    own = await gql(client, APPLICATIONS, headers=applicant)
    everything = await gql(client, APPLICATIONS, headers=pg)
    peek = await gql(
        client,
        "query ($id: ID!) { node(id: $id) { id } }",
        {"id": mine["application"]["id"]},
        headers=bearer(other_token),
    )

    assert [e["node"]["unitName"] for e in own["data"]["applications"]["edges"]] == [
        "西湖区社区学院"
    ]
    assert everything["data"]["applications"]["totalCount"] == 2
    assert peek["data"] is None or peek["data"]["node"] is None
    assert "西湖区" not in str(peek)


async def test_evidence_is_uploaded_and_attached_to_a_condition(client, runtime, pg, applicant):
    call_id = await open_call(client, pg)
    uploaded = await client.post(
        "/uploads", content=PDF, headers={**applicant, "X-Filename": "consent.pdf"}
    )
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["contentType"] == "application/pdf"
    answers = application(call_id, "西湖区社区学院", "330106")
    answers["conditions"][1]["uploadId"] = uploaded.json()["id"]

    submitted = await gql(
        client,
        """mutation ($input: SubmitApplicationInput!) { submitApplication(input: $input) {
          application { conditions { condition upload { filename size } } } errors { code } } }""",
        {"input": answers},
        headers=applicant,
    )

    conditions = submitted["data"]["submitApplication"]["application"]["conditions"]
    assert conditions[1] == {
        "condition": "AUTHORITY_CONSENT",
        "upload": {"filename": "consent.pdf", "size": len(PDF)},
    }
    assert conditions[0]["upload"] is None


async def test_someone_elses_upload_cannot_be_attached(client, runtime, pg, applicant, owner):
    call_id = await open_call(client, pg)
    _, other_token = await make_user(runtime, "other@example.cn")
    theirs = await client.post(
        "/uploads", content=PDF, headers={**bearer(other_token), "X-Filename": "x.pdf"}
    )
    answers = application(call_id, "西湖区社区学院", "330106")
    answers["conditions"][0]["uploadId"] = theirs.json()["id"]
    before = await row_counts(owner)

    error = await refusal(client, SUBMIT_APPLICATION, {"input": answers}, headers=applicant)

    assert (error["code"], error["field"]) == ("NOT_FOUND", "conditions.0.uploadId")
    assert await row_counts(owner) == before


@pytest.mark.parametrize(
    ("body", "status"),
    [(b"\x7fELF\x02\x01\x01\x00\x00\x00", 400), (b"", 400), (PDF + b"x" * (11 * 1024 * 1024), 413)],
    ids=["executable", "empty", "too-large"],
)
async def test_uploads_refuse_what_is_not_evidence(client, applicant, owner, body, status):
    before = await row_counts(owner)

    response = await client.post("/uploads", content=body, headers={**applicant, "X-Filename": "f"})

    assert response.status_code == status, response.text
    assert await row_counts(owner) == before


async def test_uploading_needs_a_signed_in_user(client):
    response = await client.post("/uploads", content=PDF, headers={"X-Filename": "x.pdf"})

    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
