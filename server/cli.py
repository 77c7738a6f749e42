"""`gongxue`: the one console script (its commands: README.md, "The command line")."""

import argparse
import asyncio
import errno
import os
import signal
import socket
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from server.embedded import ServiceUrls
from server.migrate import migrate
from server.runtime import Runtime, locate_services, open_runtime
from server.settings import Settings, get_settings

T = TypeVar("T")
BATCH_NICENESS = 10  # of 19: below the API, still well above idle work
console = Console()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gongxue", description="共学 platform")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate, then serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-worker", action="store_true", help="do not run the arq worker here")
    serve.add_argument(
        "--demo", action="store_true", help="load the demo data set first, as `gongxue demo`"
    )

    commands.add_parser("worker", help="run an arq worker (rule audits, reminders)")
    commands.add_parser("migrate", help="apply the database migrations")

    admin = commands.add_parser("create-admin", help="create a project-group account")
    admin.add_argument("--email", required=True)
    admin.add_argument("--password", required=True)
    admin.add_argument("--name", default="项目组管理员")

    commands.add_parser("demo", help="load the demo data set and print its sign-ins")

    national = commands.add_parser(
        "seed-national", help="generate the national data set into an empty database"
    )
    national.add_argument("--scale", type=float, default=1.0, help="1.0: ~42,000 units")

    audit = commands.add_parser("audit", help="run the rule audits now")
    audit.add_argument("--community", metavar="SLUG")

    args = parser.parse_args(argv)
    try:
        settings = get_settings()
    except ValueError as exc:  # pydantic's ValidationError: a setting is refused
        console.print(f"[red]配置错误 / configuration error:[/red] {exc}")
        return 2
    handler: Callable[[argparse.Namespace, Settings], int] = {
        "serve": _serve,
        "worker": _worker,
        "migrate": _migrate,
        "create-admin": _create_admin,
        "demo": _demo,
        "audit": _audit,
        "seed-national": _seed_national,
    }[args.command]
    return handler(args, settings)


def _migrate_database(settings: Settings) -> ServiceUrls:
    services = locate_services(settings)
    password = settings.app_database_password
    migrate(services.database_url, password.get_secret_value() if password else None)
    return services


def _migrated_runtime(settings: Settings) -> Runtime:
    return open_runtime(settings, _migrate_database(settings))


def _with_runtime(settings: Settings, work: Callable[[Runtime], Awaitable[T]]) -> T:
    runtime = _migrated_runtime(settings)

    async def run() -> T:
        try:
            await runtime.start()
            return await work(runtime)
        finally:
            await runtime.close()

    return asyncio.run(run())


def _unavailable(host: str, port: int) -> str | None:
    """Why `host:port` cannot be listened on, if it cannot: said before the database is
    migrated, the demo loaded or anything claims to be listening. (uvicorn binds it again a
    moment later; a server that takes the port in between still gets uvicorn's own error.)"""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            # As uvicorn binds: a port that only lingers in TIME_WAIT is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return (
                f"端口 {port} 已被占用，请换一个端口（如 make run PORT=8765 或 --port 8765） / "
                f"port {port} on {host} is already in use: choose another "
                f"(make run PORT=8765, or --port 8765)"
            )
        return (
            f"无法在 {host}:{port} 上监听 / cannot listen on {host}:{port}: {exc.strerror or exc}"
        )
    return None


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    if reason := _unavailable(args.host, args.port):
        console.print(f"[red]{reason}[/red]", soft_wrap=True)
        return 1
    if args.demo and (refused := _demo(args, settings)):
        return refused
    services = _migrate_database(settings)
    if args.no_worker:
        os.environ["GONGXUE_SERVE_WORKER"] = "false"
        get_settings.cache_clear()
    where = {True: "embedded", False: "configured"}
    console.print(
        f"共学 gongxue: http://{args.host}:{args.port}/graphql "
        f"(database: {where[services.database_embedded]}, redis: {where[services.redis_embedded]})",
        soft_wrap=True,
    )
    # uvicorn re-raises SIGTERM after its graceful shutdown; exiting through Python instead
    # lets the embedded servers' atexit hooks stop them.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    uvicorn.run(
        "schema.asgi:serve_app",
        factory=True,
        host=args.host,
        port=args.port,
        # uvicorn alone would believe `X-Forwarded-For` from any local client.
        proxy_headers=bool(settings.trusted_proxy_networks),
        forwarded_allow_ips=settings.trusted_proxy_networks,
        log_level="info",
        access_log=settings.access_log,
        timeout_graceful_shutdown=10,
    )
    return 0


def _yield_to_the_api() -> None:
    """Batch work (audits, reminders) runs at a lower CPU priority, so on a host it shares
    with the API a national audit slows the requests' tail less."""
    os.nice(BATCH_NICENESS)


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    from arq.connections import RedisSettings
    from arq.worker import run_worker

    from server.worker import WorkerSettings

    _yield_to_the_api()
    services = locate_services(settings)
    # arq's WorkerSettingsBase Protocol declares instance attributes; a settings class holds
    # them as class variables, which mypy does not take as meeting the Protocol.
    run_worker(WorkerSettings, redis_settings=RedisSettings.from_dsn(services.redis_url))  # type: ignore[arg-type]
    return 0


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    _migrate_database(settings)
    console.print("数据库已是最新结构 / database migrated to head")
    return 0


def _create_admin(args: argparse.Namespace, settings: Settings) -> int:
    from server.accounts.service import create_user, grant_project_group
    from server.errors import UserFacingError

    async def work(runtime: Runtime) -> int:
        try:
            async with runtime.database.transaction() as session:
                user = await create_user(session, args.email, args.password, args.name)
                granted = await grant_project_group(session, user)
        except UserFacingError as exc:
            console.print(f"[red]{exc.zh}[/red] ({exc.en})")
            return 1
        if granted is not None:  # as the API does: running processes apply it at once
            await runtime.policy.publish(granted)
        console.print(f"已创建项目组账号 / project-group account created: {user.email}")
        return 0

    return _with_runtime(settings, work)


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from server.compliance.audit import Counts
    from server.demo.load import DemoSummary, load_demo, open_findings

    if settings.env == "production":
        console.print("[red]演示数据不能载入生产环境 / demo data is refused in production[/red]")
        return 2

    async def load_and_audit(
        runtime: Runtime,
    ) -> "tuple[DemoSummary, Counts, list[tuple[str, str, str, str]]]":
        from server.compliance.audit import run_now

        summary = await load_demo(runtime)
        audited = await run_now(runtime)
        return summary, audited, await open_findings(runtime)

    summary, audited, findings = _with_runtime(settings, load_and_audit)
    console.print(
        f"共同体 communities: {summary.communities} (新建 new: {summary.new_communities}); "
        f"单位 units: {summary.units} (新建 new: {summary.new_units}); "
        f"新建活动 new activities: {summary.new_activities}; "
        f"新建报告 new reports: {summary.new_reports}"
    )
    console.print(f"规则审核 rule audit: {audited.findings} 项发现 findings")
    for rule, article, community, message in findings:
        line = f"  {rule} (Art. {article}) {community}: {message}"
        console.print(line, soft_wrap=True, highlight=False, markup=False)
    console.print("演示账号 / demo sign-ins")
    header = ("角色 role", "共同体 community", "邮箱 email", "密码 password")
    rows = [(s.role, s.community or "-", s.email, s.password) for s in summary.sign_ins]
    for line in _aligned([header, *rows]):
        console.print(line, soft_wrap=True, highlight=False, markup=False)
    return 0


def _aligned(rows: list[tuple[str, ...]]) -> list[str]:
    """Plain aligned columns, one row per line however narrow the terminal, so that each
    value (an email above all) can be copied whole: a table would fold it."""
    widths = [max(cell_len(cell) for cell in column) for column in zip(*rows, strict=True)]
    return [
        "  ".join(
            cell + " " * (w - cell_len(cell)) for cell, w in zip(row, widths, strict=True)
        ).rstrip()
        for row in rows
    ]


def _seed_national(args: argparse.Namespace, settings: Settings) -> int:
    from rich.progress import Progress, TaskID

    from server.national.generate import PASSWORD
    from server.national.load import NotEmpty, seed_national, summary_rows

    if settings.env == "production":
        console.print(
            "[red]生成数据不能载入生产环境 / generated data is refused in production[/red]"
        )
        return 2
    if not 0 < args.scale <= 2:
        console.print("[red]--scale 须在 0 到 2 之间 / --scale must be in (0, 2][/red]")
        return 2
    with Progress(console=console) as bar:
        tasks: dict[str, TaskID] = {}

        def step(what: str, done: int, of: int) -> None:
            if what not in tasks:
                tasks[what] = bar.add_task(what, total=of)
            bar.update(tasks[what], completed=done, total=of)

        try:
            seeded = _with_runtime(
                settings, lambda runtime: seed_national(runtime, args.scale, step)
            )
        except NotEmpty as exc:
            console.print(f"[red]数据库非空 / {exc}[/red]")
            return 1
    table = Table(title=f"全国数据集 / national data set (scale {args.scale})")
    table.add_column("")
    table.add_column("", justify="right")
    for row in summary_rows(seeded):
        table.add_row(*row)
    console.print(table)
    sign_ins = Table(title=f"账号 / sign-ins (密码 password: {PASSWORD})")
    for column in ("角色 role", "邮箱 email", "共同体 community id"):
        sign_ins.add_column(column)
    for role, email, community in seeded.sign_ins:
        sign_ins.add_row(role, email, community)
    console.print(sign_ins)
    return 0


def _audit(args: argparse.Namespace, settings: Settings) -> int:
    from server.compliance.shell import audit_from_shell
    from server.errors import GongxueError

    _yield_to_the_api()
    try:
        return _with_runtime(
            settings, lambda runtime: audit_from_shell(runtime, console, args.community)
        )
    except GongxueError as exc:
        console.print(f"[red]{exc.zh}[/red] ({exc.en})")
        return 1


if __name__ == "__main__":
    sys.exit(main())
