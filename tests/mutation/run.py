"""Mutation testing of the rules and the walls with cosmic-ray: each target module is
mutated one small, realistic bug at a time (a boundary moved by one, a condition negated or
dropped, `and` for `or`), its few test files run, and the mutant must make them fail.

The permission table (`policies/permissions.csv`), which a Python mutator cannot change, is
mutated row by row (`tests/mutation/rows.py`): each row dropped, each row granted as well to
a weaker role; its score counts with the modules'.

Usage: python -m tests.mutation.run [--sample] [--survivors] [--fail-under PCT] [PATH ...]

Prints killed / total per module and overall, and every survivor with its diff. Sessions
(the record of each mutant's outcome) are kept in `.mutation/` so a stopped run resumes."""

import argparse
import hashlib
import json
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path

from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import TestOutcome, WorkerOutcome

from tests.mutation.rows import row_mutants

ROOT = Path(__file__).resolve().parents[2]
SESSIONS = ROOT / ".mutation"
NOT_COPIED = (".git", ".venv", ".mutation", "node_modules", "__pycache__", ".gongxue", ".*_cache")

# Only the bugs a reviewer would make. Replacing `|` in an annotation with `**`, or `<` with
# `is`, breaks the import or reads as nonsense; such mutants cost a test run and say nothing.
EXCLUDED_OPERATORS = [
    r"core/ReplaceBinaryOperator_(?!Add_Sub|Sub_Add)",
    r"core/ReplaceComparisonOperator_(?!Lt_LtE|LtE_Lt|Gt_GtE|GtE_Gt|Eq_NotEq|NotEq_Eq"
    r"|Is_IsNot|IsNot_Is|In_NotIn|NotIn_In)",
    r"core/ReplaceUnaryOperator_(?!Delete_Not)",
    r"core/RemoveDecorator",
    r"core/VariableReplacer",
    r"core/VariableInserter",
]


def test_command(tests: list[str], plain: bool) -> list[str]:
    # No bytecode is written: a mutant and its restore can land in the same second with the
    # same size, and a cached .pyc would then run the wrong code. Plain tests (no database)
    # skip the suite's conftest, whose imports take most of a run's time.
    pytest = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
    if plain:
        pytest.append("--noconftest")
    return ["env", "PYTHONDONTWRITEBYTECODE=1", *pytest, *tests]


def config_for(module: str, tests: list[str], plain: bool) -> str:
    command = shlex.join(test_command(tests, plain))
    excluded = ", ".join(f"'{e}'" for e in EXCLUDED_OPERATORS)
    return (
        "[cosmic-ray]\n"
        f'module-path = "{module}"\n'
        "timeout = 120.0\n"
        "excluded-modules = []\n"
        f'test-command = "{command}"\n'
        "[cosmic-ray.distributor]\n"
        'name = "local"\n'
        "[cosmic-ray.filters.operators-filter]\n"
        f"exclude-operators = [{excluded}]\n"
    )


def tool(name: str, *args: str, cwd: Path) -> None:
    subprocess.run([str(Path(sys.executable).parent / name), *args], cwd=cwd, check=True)


def copy_of_tree(stem: str) -> Path:
    """A private copy of the project for one module's mutants: cosmic-ray edits the module in
    place, and another module's run (or the developer) must never import a mutant."""
    tree = SESSIONS / stem
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(*NOT_COPIED))
    return tree


def forget_survivors(session: Path) -> None:
    """Make the survivors pending again, so a new test is measured without the rest."""
    with sqlite3.connect(session) as db:
        # The session stores the enum's name ("SURVIVED"), not its value ("survived").
        db.execute("DELETE FROM work_results WHERE test_outcome = ?", (TestOutcome.SURVIVED.name,))


def mutate(
    module: str, tests: list[str], plain: bool, survivors_only: bool
) -> tuple[int, int, list[tuple[str, str]]]:
    """Killed, total and the survivors (operator and diff) of one module."""
    SESSIONS.mkdir(exist_ok=True)
    stem = module.replace("/", ".").removesuffix(".py")
    config, session = SESSIONS / f"{stem}.toml", SESSIONS / f"{stem}.sqlite"
    tree = copy_of_tree(stem)
    # The module's hash in the config: once the module changes, its old mutants are void.
    digest = hashlib.sha256((ROOT / module).read_bytes()).hexdigest()
    text = f"# {module} sha256 {digest}\n" + config_for(module, tests, plain)
    if not config.exists() or config.read_text() != text or not session.exists():
        config.write_text(text)
        session.unlink(missing_ok=True)
        tool("cosmic-ray", "init", str(config), str(session), cwd=tree)
        tool("cr-filter-operators", str(session), str(config), cwd=tree)
        tool("cr-filter-pragma", str(session), cwd=tree)
    elif survivors_only:
        forget_survivors(session)
    baseline = subprocess.run(test_command(tests, plain), cwd=tree, capture_output=True, text=True)
    if baseline.returncode != 0:
        sys.exit(f"{module}: its tests fail without any mutant:\n{baseline.stdout[-3000:]}")
    tool("cosmic-ray", "exec", str(config), str(session), cwd=tree)
    shutil.rmtree(tree)
    killed, total, survivors = 0, 0, []
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item, result in db.completed_work_items:
            if result.worker_outcome == WorkerOutcome.SKIPPED:
                continue
            total += 1
            if result.test_outcome == TestOutcome.SURVIVED:
                survivors.append((item.mutations[0].operator_name, result.diff or ""))
            else:
                killed += 1
    return killed, total, survivors


def flip_rows(
    table: str, tests: list[str], plain: bool, survivors_only: bool
) -> tuple[int, int, list[tuple[str, str]]]:
    """Killed, total and the survivors of the table's row mutants (`rows.py`), each run
    against `tests` in a private copy of the tree. Outcomes are kept in a JSON record, void
    once the table or its tests change."""
    SESSIONS.mkdir(exist_ok=True)
    stem = table.replace("/", ".")
    record = SESSIONS / f"{stem}.json"
    original = (ROOT / table).read_text(encoding="utf-8")
    identity = {"sha256": hashlib.sha256(original.encode()).hexdigest(), "tests": tests}
    outcomes: dict[str, str] = {}
    if record.exists():
        kept = json.loads(record.read_text())
        if kept["identity"] == identity:
            outcomes = kept["outcomes"]
    if survivors_only:
        outcomes = {key: outcome for key, outcome in outcomes.items() if outcome != "survived"}
    tree = copy_of_tree(stem)
    baseline = subprocess.run(test_command(tests, plain), cwd=tree, capture_output=True, text=True)
    if baseline.returncode != 0:
        sys.exit(f"{table}: its tests fail without any mutant:\n{baseline.stdout[-3000:]}")
    lines = original.split("\n")
    mutants = row_mutants(lines)
    for mutant in mutants:
        if mutant.key in outcomes:
            continue
        (tree / table).write_text("\n".join(mutant.apply(lines)), encoding="utf-8")
        try:  # a mutant that hangs the tests is caught, as cosmic-ray's timeout counts it
            run = subprocess.run(
                test_command(tests, plain), cwd=tree, capture_output=True, timeout=120
            )
            outcomes[mutant.key] = "survived" if run.returncode == 0 else "killed"
        except subprocess.TimeoutExpired:
            outcomes[mutant.key] = "killed"
        record.write_text(json.dumps({"identity": identity, "outcomes": outcomes}, indent=1))
    shutil.rmtree(tree)
    survivors = [(m.kind, m.diff) for m in mutants if outcomes[m.key] == "survived"]
    return len(mutants) - len(survivors), len(mutants), survivors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", action="store_true", help="the first target only")
    parser.add_argument(
        "--survivors", action="store_true", help="run again only the mutants that survived"
    )
    parser.add_argument(
        "--fail-under", type=float, default=0.0, help="exit 1 below this score (percent)"
    )
    parser.add_argument("modules", nargs="*", help="only these modules or tables (paths)")
    args = parser.parse_args()
    if "GONGXUE_REDIS_URL" not in os.environ or "GONGXUE_DATABASE_URL" not in os.environ:
        print("note: GONGXUE_DATABASE_URL/GONGXUE_REDIS_URL unset, the tests start embedded ones")
    listed = tomllib.loads((ROOT / "tests" / "mutation" / "targets.toml").read_text())
    targets, tables = listed["target"], listed.get("table", [])
    if args.modules:
        targets = [t for t in targets if t["module"] in args.modules]
        tables = [t for t in tables if t["file"] in args.modules]
    else:  # a slow target runs when named: its mutants take an hour or more
        targets = [t for t in targets if not t.get("slow", False)]
    if args.sample:
        targets, tables = targets[:1], []
    outcomes = [
        (
            target["module"],
            "survived",
            *mutate(target["module"], target["tests"], target.get("plain", False), args.survivors),
        )
        for target in targets
    ] + [
        (
            table["file"],
            "survived, row",
            *flip_rows(table["file"], table["tests"], table.get("plain", False), args.survivors),
        )
        for table in tables
    ]
    all_killed = all_total = 0
    lines = []
    for name, survived, killed, total, survivors in outcomes:
        all_killed, all_total = all_killed + killed, all_total + total
        lines.append(f"{name}: {killed}/{total} killed")
        for kind, diff in survivors:
            lines.append(
                f"  {survived} {kind}\n" + "\n".join("    " + d for d in diff.splitlines())
            )
    print("\n".join(lines))
    score = 100 * all_killed / all_total if all_total else 100.0
    print(f"mutation score: {all_killed}/{all_total} killed ({score:.1f}%)")
    if score < args.fail_under:
        sys.exit(f"below {args.fail_under}%: each survivor needs a test, or a reason why not")


if __name__ == "__main__":
    main()
