"""`docs/api.md` cannot rot: every GraphQL example in it validates against the schema, and the
ones marked `run` run, in the guide's order, against a freshly loaded demo, as the account
they name, and succeed (or are refused exactly as the guide says, with `expect=CODE`). The
guide stands alone: it names no document outside the repository."""

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from graphql import parse, validate

from schema.api import SCHEMA
from server.demo.load import DEMO_DOMAIN, DEMO_PASSWORD, load_demo
from tests.graphql import gql

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "api.md"
FENCE = re.compile(r"^```graphql([^\n]*)\n(.*?)^```$", re.S | re.M)


@dataclass(frozen=True)
class Example:
    line: int
    document: str
    run: bool
    account: str | None  # the part of a demo email before "@"; None: anonymous
    language: str
    path: str
    expect: str | None

    @property
    def where(self) -> str:
        return f"docs/api.md:{self.line}"


def examples(text: str) -> list[Example]:
    found = []
    for match in FENCE.finditer(text):
        words = shlex.split(match.group(1))
        options = dict(w.split("=", 1) for w in words if "=" in w)
        found.append(
            Example(
                line=text.count("\n", 0, match.start()) + 1,
                document=match.group(2),
                run="run" in words,
                account=options.get("as"),
                language=options.get("lang", "zh"),
                path=options.get("path", "/graphql"),
                expect=options.get("expect"),
            )
        )
    return found


def _codes(body: dict) -> list[str]:
    """The refusals in an answer: top-level codes, then the codes of each payload's errors."""
    codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
    for payload in (body.get("data") or {}).values():
        if isinstance(payload, dict) and isinstance(payload.get("errors"), list):
            codes += [e["code"] for e in payload["errors"]]
    return codes


EXAMPLES = examples(GUIDE.read_text(encoding="utf-8"))


def test_the_guide_has_examples_for_every_role_that_run():
    accounts = {e.account.split(".")[0] for e in EXAMPLES if e.run and e.account}
    assert accounts == {"admin", "expert", "leader", "deputy", "member", "applicant"}
    assert any(e.run and e.account is None for e in EXAMPLES)  # the public
    assert any(e.run and e.document.lstrip().startswith("mutation") for e in EXAMPLES)


def test_every_graphql_example_in_the_guide_is_valid_against_the_schema():
    schema = SCHEMA._schema
    for example in EXAMPLES:
        assert validate(schema, parse(example.document)) == [], example.where


async def test_the_runnable_examples_succeed_against_the_demo(client, runtime):
    await load_demo(runtime)
    tokens: dict[str, str] = {}

    for example in (e for e in EXAMPLES if e.run):
        headers = {"Accept-Language": example.language}
        if example.account is not None:
            if example.account not in tokens:
                signed_in = await gql(
                    client,
                    "mutation ($e: String!, $p: String!) "
                    "{ login(input: {email: $e, password: $p}) { token } }",
                    {"e": f"{example.account}@{DEMO_DOMAIN}", "p": DEMO_PASSWORD},
                )
                tokens[example.account] = signed_in["data"]["login"]["token"]
            headers["Authorization"] = f"Bearer {tokens[example.account]}"

        body = await gql(client, example.document, path=example.path, headers=headers)

        assert _codes(body) == ([example.expect] if example.expect else []), (example.where, body)
        assert body.get("data") is not None, example.where


def test_the_docs_name_no_document_outside_the_repository():
    outside = re.compile(r"DOMAIN\.md|CONTRACT\.md|\.\./shared|/work/|see the spec|[Ii]ssue \d")
    for path in [ROOT / "README.md", ROOT / "schema.graphql", *(ROOT / "docs").glob("*.md")]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not outside.search(line), f"{path.name}:{number}: {line}"
