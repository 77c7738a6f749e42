"""Parity by construction: documents generated from every projection and root
(`schema/core/projection.py`) are answered by the compiled read exactly as field-by-field
execution answers them: every field, in both languages, every page edge (the first page, a
middle one, the last, past the end), each filter, and bad arguments. A projected field that
no generated document read through the compiled statement fails the test, so a new field
cannot go unexercised."""

import logging
import math
from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLObjectType,
    build_schema,
    get_named_type,
    get_nullable_type,
)
from sqlalchemy import func, select
from strawberry.utils.str_converters import to_camel_case

from schema.core import compiled, ids
from schema.core.projection import PROJECTIONS, ROOTS, Listed, Page, Related, Root
from server.fees.models import Invoice
from tests.factories import bearer, make_community, make_user
from tests.graphql import both_ways, error_codes

SDL = build_schema((Path(__file__).parents[2] / "schema.graphql").read_text())
PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
# A sample for each type of filter argument the pages take, as a client would send it.
SAMPLES = {
    "Date": ["2026-01-01", "2026-06-30"],
    "String": ["", "社区", "11"],
    "Int": [2026],
    "Boolean": [True, False],
}


class Covered:
    """The fields read by documents that the compiled statement answered."""

    def __init__(self) -> None:
        self.fields: set[tuple[str, str]] = set()
        self.roots: set[str] = set()


def selection(type_name: str, depth: int, in_community: bool, fields: set) -> str:
    """Every projected field of `type_name`; objects and pages below it to `depth`. A page
    that belongs to its object's community (its checks are that community's) is read only
    where that community is the document's own (`in_community`), as the compiled reads
    decide such checks."""
    parts = ["__typename"]
    for python_name, declared in PROJECTIONS[type_name].fields.items():
        name = to_camel_case(python_name)
        if isinstance(declared, Related | Listed):
            if depth == 0:
                continue
            below = in_community and getattr(declared, "same_community", False)
            inner = selection(declared.type_name, depth - 1, below, fields)
            parts.append(f"{name} {{ {inner} }}")
        elif isinstance(declared, Page):
            if depth == 0 or (declared.same_community and not in_community):
                continue
            inner = selection(declared.type_name, depth - 1, in_community, fields)
            parts.append(
                f"{name}(first: 3) {{ totalCount {PAGE_INFO} edges {{ cursor node {{ {inner} }} }} }}"
            )
        else:
            parts.append(name)
        fields.add((type_name, python_name))
    return " ".join(parts)


def paged(field_name: str, arguments: list[str], declared: Page, depth: int, fields: set) -> str:
    """`field_name(...)` paged by `$first`/`$after`, each filter a variable."""
    given = ", ".join(
        [*(f"{to_camel_case(a)}: ${a}" for a in arguments), "first: $first", "after: $after"]
    )
    node = selection(declared.type_name, depth, declared.same_community, fields)
    return (
        f"{field_name}({given}) {{ totalCount {PAGE_INFO} edges {{ cursor node {{ {node} }} }} }}"
    )


def variable_types(parent: GraphQLObjectType, field_name: str, arguments: list[str]) -> str:
    definition = parent.fields[field_name]
    declared = []
    for a in arguments:
        argument = definition.args[to_camel_case(a)]
        # An argument with a default takes a variable that may be left out.
        kind = (
            argument.type
            if argument.ast_node.default_value is None
            else get_nullable_type(argument.type)
        )
        declared.append(f"${a}: {kind}")
    return ", ".join([*declared, "$first: Int", "$after: String"])


def samples(parent: GraphQLObjectType, field_name: str, argument: str) -> list:
    kind = get_named_type(parent.fields[field_name].args[to_camel_case(argument)].type)
    if isinstance(kind, GraphQLEnumType):
        values = list(kind.values)
        return [values[0], values[-1]]
    return SAMPLES[kind.name]


async def named_samples(runtime, community) -> dict[str, list]:
    """For the filters that name something (a unit, a community), a value naming one that
    the data set has rows of: the unit with the most invoices in `community`, the community
    itself."""
    async with runtime.database.read(all_communities=True) as read:
        unit_id = await read.scalar(
            select(Invoice.unit_id)
            .where(Invoice.community_id == community.id, Invoice.unit_id.is_not(None))
            .group_by(Invoice.unit_id)
            .order_by(func.count().desc(), Invoice.unit_id)
            .limit(1)
        )
    return {"community_slug": [community.slug], "unit_id": [ids.encode("Unit", unit_id)]}


@pytest.fixture
async def answered(monkeypatch):
    """Which plans answered with their statement (not handing the request to the usual
    way): a document compared both ways counts only if its compiled answer was compiled."""
    plans: set[int] = set()
    run = compiled.Plan.run

    async def recorded(self, context, variables):
        data = await run(self, context, variables)
        plans.add(id(self))
        return data

    monkeypatch.setattr(compiled.Plan, "run", recorded)
    return plans


async def compare(client, answered, query, variables, headers, language="zh") -> dict:
    """The compiled answer, which must equal the usual one and have been compiled."""
    answered.clear()
    answer, usual, _ = await both_ways(client, query, variables, headers, language)
    assert "errors" not in usual, (query, variables, usual)
    assert answer == usual, (query, variables)
    assert answered, f"not answered by its compiled statement: {query} {variables}"
    return answer


async def walk(client, answered, query, variables, headers, connection_of) -> int:
    """Every page of a list, then one past its end, each compared both ways: the size chosen
    from the total so that there are a first, middle and last page. How many pages."""
    first = await compare(client, answered, query, {**variables, "first": 1}, headers)
    total = connection_of(first["data"])["totalCount"]
    size = max(1, math.ceil(total / 3))
    after, pages = None, 0
    while True:
        answer = await compare(
            client, answered, query, {**variables, "first": size, "after": after}, headers
        )
        connection = connection_of(answer["data"])
        pages += 1
        assert connection["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    if connection["pageInfo"]["endCursor"] is not None:
        past = await compare(
            client,
            answered,
            query,
            {**variables, "first": size, "after": connection["pageInfo"]["endCursor"]},
            headers,
        )
        assert connection_of(past["data"])["edges"] == []
    return pages


async def test_every_projection_reads_as_the_usual_execution(national, answered, caplog):
    runtime, client, communities, leader, admin = national
    caplog.set_level(logging.ERROR, logger="schema.core.compiled")
    covered = Covered()
    query_type = SDL.query_type
    slug = communities[0].slug
    found_roots = {n: r for n, r in ROOTS.items() if r.page is None and r.listing is None}
    page_roots = {name: r for name, r in ROOTS.items() if r.page is not None}
    listing_roots = {name: r for name, r in ROOTS.items() if r.listing is not None}
    assert set(found_roots) == {"community", "me"}, "a new root: say how to ask it here"

    # Every field of every type, through each root that finds one object, in both languages.
    asks = {
        "community": [({"slug": slug}, leader), ({"slug": communities[1].slug}, admin)],
        "me": [({}, leader), ({}, admin)],
    }
    for name, declared in found_roots.items():
        fields: set = set()
        arguments = ", ".join(f"{a}: ${a}" for a in declared.reads)
        types = ", ".join(f"${a}: String!" for a in declared.reads)
        inner = selection(declared.type_name, 2, declared.is_community, fields)
        head = f"query ({types})" if types else "query"
        call = f"{name}({arguments})" if arguments else name
        query = f"{head} {{ {call} {{ {inner} }} }}"
        for language in ("zh", "en"):
            for variables, headers in asks[name]:
                answered.clear()
                answer, usual, _ = await both_ways(client, query, variables, headers, language)
                assert "errors" not in usual, usual
                assert answer == usual, (name, variables, language)
                if answered and answer["data"][name] is not None:
                    covered.fields |= fields
                    covered.roots.add(name)

    # Each whole list at the root, read by the project group (every row) and a leader.
    for name, declared in listing_roots.items():
        fields = set()
        query = (
            f"{{ {to_camel_case(name)} {{ {selection(declared.type_name, 2, False, fields)} }} }}"
        )
        for language in ("zh", "en"):
            for headers in (admin, leader):
                answer = await compare(client, answered, query, {}, headers, language)
                if headers is admin:
                    assert answer["data"][to_camel_case(name)], name  # rows to compare
        covered.fields |= fields
        covered.roots.add(name)

    # Each page below the community, and each list at the root: every page, each filter.
    community_type = SDL.type_map["Community"]
    for python_name, declared in PROJECTIONS["Community"].fields.items():
        if not isinstance(declared, Page):
            continue
        name = to_camel_case(python_name)
        arguments = [*declared.filters, *declared.reads]
        fields = set()
        types = variable_types(community_type, name, arguments)
        query = (
            f"query ($slug: String!, {types}) {{ community(slug: $slug) {{ "
            f"{paged(name, arguments, declared, 1, fields)} }} }}"
        )
        variants = [{}] + [
            {a: value} for a in arguments for value in samples(community_type, name, a)
        ]
        for given in variants:
            await walk(
                client,
                answered,
                query,
                {"slug": slug, **given},
                admin,
                lambda data, name=name: data["community"][name],
            )
        covered.fields |= fields | {("Community", python_name)}
    for name, declared in page_roots.items():
        page = declared.page
        arguments = [*page.filters, *page.reads]
        required = [
            a
            for a in arguments
            if "!" in str(query_type.fields[to_camel_case(name)].args[to_camel_case(a)].type)
        ]
        fields = set()
        query = (
            f"query ({variable_types(query_type, to_camel_case(name), arguments)}) "
            f"{{ {paged(to_camel_case(name), arguments, page, 1, fields)} }}"
        )
        named = await named_samples(runtime, communities[0])
        base = {a: samples(query_type, to_camel_case(name), a)[0] for a in required}
        if "region" in required:
            base["region"] = communities[0].region
        variants = [base] + [
            {**base, a: value}
            for a in arguments
            if a not in required
            for value in named.get(a) or samples(query_type, to_camel_case(name), a)
        ]
        pages = 0
        for given in variants:
            pages = max(
                pages,
                await walk(
                    client, answered, query, given, admin, lambda d, n=name: d[to_camel_case(n)]
                ),
            )
        assert pages >= 3, name  # a first, a middle and a last page at least once
        covered.fields |= fields
        covered.roots.add(name)

    declared_fields = {(t, f) for t, p in PROJECTIONS.items() for f in p.fields}
    assert declared_fields - covered.fields == set()
    assert covered.roots == set(ROOTS)
    assert not [r for r in caplog.records if "compiled read failed" in r.getMessage()]


BAD = [
    ('{ community(slug: "") { name memberCount } }', "NOT_FOUND"),
    ('{ community(slug: "no-such-community") { name } }', "NOT_FOUND"),
    ('{ community(slug: "a\\u0000b") { name } }', "INVALID_INPUT"),
    ("{ units(first: -1) { edges { node { name } } } }", "INVALID_INPUT"),
    ("{ units(first: 101) { edges { node { name } } } }", "INVALID_INPUT"),
    ('{ units(after: "not-a-cursor") { edges { node { name } } } }', "INVALID_INPUT"),
    ('{ communities(first: 1, after: "WzFd") { totalCount } }', None),  # a good cursor
]


@pytest.mark.parametrize(("query", "code"), BAD)
async def test_bad_arguments_are_answered_as_the_usual_execution_answers(
    counted, caplog, query, code
):
    """`community(slug: "")` is NOT_FOUND both ways, and nothing is logged as a compiled
    read that failed."""
    runtime, client = counted
    await make_community(runtime, "yrd-bad", size=3)
    _, token = await make_user(runtime, "admin@example.cn", ("PROJECT_GROUP", None))
    caplog.set_level(logging.INFO)

    answer, usual, _ = await both_ways(client, query, {}, bearer(token))

    # The usual way's document is wrapped in a fragment: its locations differ, nothing else.
    assert answer["data"] == usual["data"]
    assert error_codes(answer) == error_codes(usual)
    assert [e.get("path") for e in answer.get("errors", [])] == [
        e.get("path") for e in usual.get("errors", [])
    ]
    if code is None:
        assert "errors" not in answer, answer
    else:
        assert error_codes(answer) == [code]
    assert not [r for r in caplog.records if "compiled read failed" in r.getMessage()]


def test_every_root_is_a_declared_projection():
    for name, declared in ROOTS.items():
        assert isinstance(declared, Root)
        assert declared.type_name in PROJECTIONS, name
