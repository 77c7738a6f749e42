"""Uploaded files (evidence, sign-in sheets): checked by their bytes, capped in size, stored
under the data dir by content hash."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.errors import ErrorCode, UserFacingError
from server.settings import Settings
from server.uploads.models import Upload

MAX_BYTES = 10 * 1024 * 1024


def root(settings: Settings) -> Path:
    """Where uploaded files live: `uploads/` under the data dir."""
    return settings.resolved_data_dir / "uploads"


@dataclass(frozen=True)
class Kind:
    content_type: str
    label: str


def sniff(data: bytes) -> Kind | None:
    """What the bytes are, whatever the client claims: PDF, an image, an Office file or CSV."""
    if data.startswith(b"%PDF-"):
        return Kind("application/pdf", "PDF")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Kind("image/png", "PNG")
    if data.startswith(b"\xff\xd8\xff"):
        return Kind("image/jpeg", "JPEG")
    if data.startswith(b"PK\x03\x04"):  # docx, xlsx, pptx are zip packages
        return Kind("application/vnd.openxmlformats-officedocument", "Office")
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # doc, xls, ppt
        return Kind("application/x-ole-storage", "Office 97-2003")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if text and "\x00" not in text:
        return Kind("text/csv", "CSV")
    return None


async def store(
    session: AsyncSession, root: Path, owner_user_id: int, filename: str, data: bytes
) -> Upload:
    if not data:
        raise UserFacingError(ErrorCode.INVALID_INPUT, "文件为空", "the file is empty", "file")
    if len(data) > MAX_BYTES:
        raise UserFacingError(
            ErrorCode.INVALID_INPUT,
            f"文件不能超过 {MAX_BYTES // 1024 // 1024} MB",
            f"files are capped at {MAX_BYTES // 1024 // 1024} MB",
            "file",
        )
    kind = sniff(data)
    if kind is None:
        raise UserFacingError(
            ErrorCode.INVALID_INPUT,
            "仅支持 PDF、图片、Office 文档或 CSV",
            "only PDF, images, Office documents or CSV",
            "file",
        )
    digest = hashlib.sha256(data).hexdigest()
    key = f"{digest[:2]}/{digest}"
    path = root / key
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)  # atomic: a reader never sees half a file
    upload = Upload(
        owner_user_id=owner_user_id,
        filename=Path(filename).name[:200] or "upload",
        content_type=kind.content_type,
        size=len(data),
        sha256=digest,
        storage_key=key,
    )
    session.add(upload)
    await session.flush()
    return upload


async def read(
    session: AsyncSession, root: Path, upload_id: int, owner_user_id: int
) -> tuple[Upload, bytes]:
    """An upload of this user's; NOT_FOUND for one that is missing or someone else's."""
    upload = await session.scalar(
        select(Upload).where(Upload.id == upload_id, Upload.owner_user_id == owner_user_id)
    )
    if upload is None:
        raise UserFacingError(ErrorCode.NOT_FOUND, "附件不存在", "no such upload", "uploadId")
    return upload, (root / upload.storage_key).read_bytes()
