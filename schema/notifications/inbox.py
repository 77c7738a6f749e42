"""A signed-in user's notifications: exits, deadlines."""

import contextlib
import datetime as dt
from collections.abc import AsyncGenerator

import strawberry
from sqlalchemy import func, select

from schema.core import ids
from schema.core.context import Info
from schema.core.errors import UserError, refusals
from schema.core.mutations import Attempt, mutation
from schema.core.pagination import Connection, paginate
from server.notifications import models, service

# Every new notification is announced; this only bounds the wait when a message is lost.
POLL_SECONDS = 4.0


@strawberry.type(description="A message to the signed-in user.")
class Notification:
    id: strawberry.ID
    kind: str = strawberry.field(description="exit.auto, report.due, ...")
    title: str
    body: str
    created_at: dt.datetime
    read_at: dt.datetime | None

    @classmethod
    def of(cls, row: models.Notification) -> "Notification":
        return cls(
            id=strawberry.ID(ids.encode("Notification", row.id)),
            kind=row.kind,
            title=row.title,
            body=row.body,
            created_at=row.created_at,
            read_at=row.read_at,
        )


@strawberry.input
class MarkNotificationsReadInput:
    notification_ids: list[strawberry.ID]


@strawberry.type
class MarkNotificationsReadPayload:
    marked: int = 0
    errors: list[UserError] = refusals()


@strawberry.type
class NotificationQueries:
    @strawberry.field(
        description="The signed-in user's notifications, oldest first (`newestFirst`: the "
        "latest first)."
    )
    async def notifications(
        self,
        info: Info,
        unread_only: bool = False,
        newest_first: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Notification]:
        actor = (await info.context.guard()).signed_in()
        statement = service.inbox_statement(actor.user_id, unread_only)
        return await paginate(
            info.context,
            statement,
            models.Notification.id,
            first,
            after,
            Notification.of,
            newest_first=newest_first,
        )


@strawberry.type
class NotificationMutations:
    @mutation(signed_in=True, description="Marks the signed-in user's notifications read.")
    async def mark_notifications_read(
        self, attempt: Attempt, input: MarkNotificationsReadInput
    ) -> MarkNotificationsReadPayload:
        wanted = [ids.decode_as(n, "Notification")[0] for n in input.notification_ids]
        async with attempt.transaction() as session:
            marked = await service.mark_read(session, attempt.actor.user_id, wanted)
        return MarkNotificationsReadPayload(marked=marked)


@strawberry.type
class NotificationSubscriptions:
    @strawberry.subscription(
        description="The signed-in user's own notifications, each as it arrives (from the "
        "moment of subscribing). Ends when the sign-in does."
    )
    async def notification_added(self, info: Info) -> AsyncGenerator[Notification, None]:
        actor = (await info.context.guard()).signed_in()
        async with info.context.transaction() as session:
            seen = await session.scalar(
                select(func.coalesce(func.max(models.Notification.id), 0)).where(
                    models.Notification.user_id == actor.user_id
                )
            )
        topic = service.inbox_topic(actor.user_id)
        # Read once subscribed too: what arrived in between is not lost.
        moved = info.context.runtime.topics.moves(topic, POLL_SECONDS)
        async with contextlib.aclosing(moved):  # no longer waited on once it ends
            async for _ in moved:
                info.context.still_signed_in()
                async with info.context.transaction() as session:
                    rows = (
                        await session.scalars(
                            service.inbox_statement(actor.user_id)
                            .where(models.Notification.id > seen)
                            .order_by(models.Notification.id)
                        )
                    ).all()
                for row in rows:
                    seen = row.id
                    yield Notification.of(row)
