"""The published lists as downloads: `/exports/sites.xlsx` and `/exports/exits.xlsx`."""

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.runtime import Runtime
from server.units.exports import exits_workbook, sites_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_endpoint(
    runtime: Runtime, build: Callable[[AsyncSession], Awaitable[bytes]], filename: str
) -> Callable[[Request], Awaitable[Response]]:
    async def export(request: Request) -> Response:
        async with runtime.database.transaction() as session:
            data = await build(session)
        return Response(
            data,
            media_type=XLSX,
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"},
        )

    return export


def export_routes(runtime: Runtime) -> list[Route]:
    return [
        Route("/exports/sites.xlsx", export_endpoint(runtime, sites_workbook, "sites.xlsx")),
        Route("/exports/exits.xlsx", export_endpoint(runtime, exits_workbook, "exits.xlsx")),
    ]
