"""Uploaded files (evidence, sign-in sheets): identified by their bytes, capped in size and
per user and day, stored under the data dir by content hash."""

import asyncio
import datetime as dt
import hashlib
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.clock import PROGRAMME_TIMEZONE
from server.errors import ErrorCode, UserFacingError
from server.settings import Settings
from server.uploads import kinds
from server.uploads.models import Upload
from server.uploads.names import display_name

MAX_BYTES = 10 * 1024 * 1024
# The first key of the two-key advisory locks taken here: one user's uploads, one at a time.
QUOTA_LOCK = 0x75706C64  # "upld"


def root(settings: Settings) -> Path:
    """Where uploaded files live: `uploads/` under the data dir."""
    return settings.resolved_data_dir / "uploads"


class OverQuota(UserFacingError):
    """RATE_LIMITED, with the seconds until the quota starts again."""

    def __init__(self, zh: str, en: str, retry_after: int) -> None:
        super().__init__(ErrorCode.RATE_LIMITED, zh, en, "file")
        self.retry_after = retry_after


async def store(
    session: AsyncSession, settings: Settings, owner_user_id: int, name: str | None, data: bytes
) -> Upload:
    """Keeps the file, named for display from `name` (the percent-encoded `X-Filename`)."""
    if not data:
        raise UserFacingError(ErrorCode.INVALID_INPUT, "文件为空", "the file is empty", "file")
    if len(data) > MAX_BYTES:
        raise UserFacingError(
            ErrorCode.INVALID_INPUT,
            f"文件不能超过 {MAX_BYTES // 1024 // 1024} MB",
            f"files are capped at {MAX_BYTES // 1024 // 1024} MB",
            "file",
        )
    await _refuse_over_quota(session, settings, owner_user_id, len(data))
    try:
        kind = await asyncio.to_thread(kinds.identify, data)
    except kinds.Refused as refused:
        raise UserFacingError(ErrorCode.INVALID_INPUT, refused.zh, refused.en, "file") from None
    digest, key = await asyncio.to_thread(_keep, root(settings), data)
    upload = Upload(
        owner_user_id=owner_user_id,
        filename=display_name(name, kind),
        content_type=kind.content_type,
        size=len(data),
        sha256=digest,
        storage_key=key,
    )
    session.add(upload)
    await session.flush()
    return upload


def _keep(root: Path, data: bytes) -> tuple[str, str]:
    """Writes the bytes under their SHA-256: the path never comes from the client."""
    digest = hashlib.sha256(data).hexdigest()
    key = f"{digest[:2]}/{digest}"
    path = root / key
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)  # atomic: a reader never sees half a file
    return digest, key


async def _refuse_over_quota(
    session: AsyncSession, settings: Settings, owner_user_id: int, size: int
) -> None:
    """Counts what the user stored since midnight in Beijing. The lock makes a user's
    concurrent uploads count one after the other, so a burst cannot pass the quota together."""
    await session.execute(select(func.pg_advisory_xact_lock(QUOTA_LOCK, owner_user_id)))
    now = dt.datetime.now(PROGRAMME_TIMEZONE)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    files, stored = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(Upload.size), 0)).where(
                Upload.owner_user_id == owner_user_id, Upload.created_at >= midnight
            )
        )
    ).one()
    retry_after = int((midnight + dt.timedelta(days=1) - now).total_seconds()) + 1
    if files + 1 > settings.upload_daily_files:
        raise OverQuota(
            f"今天已上传 {files} 个文件，已达每日上限，请明天再传",
            f"{files} files uploaded today, the daily limit; upload again tomorrow",
            retry_after,
        )
    mib = settings.upload_daily_bytes // 1024 // 1024
    if stored + size > settings.upload_daily_bytes:
        raise OverQuota(
            f"今天上传的文件总量将超过每日上限 {mib} MB，请明天再传",
            f"this file would take today's uploads past the daily {mib} MiB; upload it tomorrow",
            retry_after,
        )


async def read(
    session: AsyncSession, root: Path, upload_id: int, owner_user_id: int
) -> tuple[Upload, bytes]:
    """An upload of this user's; NOT_FOUND for one that is missing or someone else's."""
    upload = await session.scalar(
        select(Upload).where(Upload.id == upload_id, Upload.owner_user_id == owner_user_id)
    )
    if upload is None:
        raise UserFacingError(ErrorCode.NOT_FOUND, "附件不存在", "no such upload", "uploadId")
    return upload, await asyncio.to_thread((root / upload.storage_key).read_bytes)
