"""What a file is, decided by opening it with a real parser: a PDF that opens and has pages,
an image that decodes, an Office document with its main part, or a table that parses as CSV.
A file that only starts like one of them (`%PDF-` followed by HTML, any zip, any text) is
refused, so what is served later is what the uploader claimed.

Synchronous and CPU-bound: the caller runs `identify` in a worker thread."""

import csv
import io
import re
import zipfile
from dataclasses import dataclass

import olefile
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

# A 10 MiB PNG can inflate to gigabytes of pixels; phone cameras stay under 50 megapixels.
MAX_IMAGE_PIXELS = 50_000_000
# A 10 MiB zip can expand to terabytes; real Office documents stay far below these.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 10_000


@dataclass(frozen=True)
class Kind:
    content_type: str
    extensions: tuple[str, ...]  # the first is the one a download gets when the name has none

    @property
    def extension(self) -> str:
        return self.extensions[0]


PDF = Kind("application/pdf", (".pdf",))
PNG = Kind("image/png", (".png",))
JPEG = Kind("image/jpeg", (".jpg", ".jpeg"))
DOCX = Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
PPTX = Kind("application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",))
DOC = Kind("application/msword", (".doc",))
XLS = Kind("application/vnd.ms-excel", (".xls",))
PPT = Kind("application/vnd.ms-powerpoint", (".ppt",))
CSV = Kind("text/csv", (".csv",))

IMAGES = {"PNG": PNG, "JPEG": JPEG}
# An OOXML package is known by its main part, named in the ECMA-376 part names.
OOXML_MAIN_PARTS = {
    "word/document.xml": DOCX,
    "xl/workbook.xml": XLSX,
    "ppt/presentation.xml": PPTX,
}
# An old binary Office file is known by its main stream (MS-DOC, MS-XLS, MS-PPT).
OLE_MAIN_STREAMS = (
    ("WordDocument", DOC),
    ("Workbook", XLS),
    ("Book", XLS),
    ("PowerPoint Document", PPT),
)
# Text that a browser or a shell would run, whatever its name says.
ACTIVE_TEXT = re.compile(
    r"<\s*(script|html|svg|iframe|object|embed|body|head|meta|!doctype|\?xml)\b"
    r"|\A\s*#!"
    r"|javascript:",
    re.IGNORECASE,
)
# In a PDF: what a reader would run (JavaScript), start (Launch) or save (attached files).
RUNNABLE_PDF_NAMES = frozenset(
    {"/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia"}
)
# The same, uncompressed and spelt out, for objects a damaged cross-reference table hides; the
# short `/JS` would match the bytes of compressed streams by chance.
RUNNABLE_PDF_TEXT = re.compile(rb"/(JavaScript|Launch|EmbeddedFiles?)\b")
PDF_ERRORS = (
    PyPdfError,
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    NotImplementedError,
    RecursionError,
)
# A cell a spreadsheet would run as a formula (=HYPERLINK(...), +cmd|'/C calc'!A0 for DDE),
# while "+86 138 0000 0000", "-3.5" and "-" stay plain values.
FORMULA = re.compile(r"\s*(=|@|[+-].*[A-Za-z=(|!])")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Refused(Exception):
    """Not a file the platform keeps; the message says why, in both languages."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


def identify(data: bytes) -> Kind:
    """The file's kind, or `Refused`."""
    if data.startswith(b"%PDF-"):
        return _pdf(data)
    if data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        return _image(data)
    if data.startswith(b"PK\x03\x04"):
        return _ooxml(data)
    if data.startswith(olefile.MAGIC):
        return _ole(data)
    return _csv(data)


def _pdf(data: bytes) -> Kind:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")
        pages = len(reader.pages)
        runs = RUNNABLE_PDF_TEXT.search(data) is not None or _runs_something(reader)
    except PDF_ERRORS:
        pages, runs = 0, False
    if pages < 1:
        raise Refused("PDF 文件无法打开或没有页面", "the PDF cannot be opened or has no pages")
    if runs:
        raise Refused(
            "不接受含脚本、启动动作或内嵌文件的 PDF",
            "PDFs with scripts, launch actions or embedded files are not accepted",
        )
    return PDF


def _runs_something(reader: PdfReader) -> bool:
    """Whether any object, those packed in object streams included, names JavaScript, a
    launch action or an embedded file: what a PDF reader would run or hand to the system."""
    numbers = [(n, g) for g, entries in reader.xref.items() for n in entries]
    numbers += [(n, 0) for n in reader.xref_objStm]
    for number, generation in numbers:
        try:
            found = reader.get_object(IndirectObject(number, generation, reader))
        except PDF_ERRORS:
            continue
        if _names_runnable(found, depth=0):
            return True
    return False


def _names_runnable(value: object, depth: int) -> bool:
    """Looks inside direct dictionaries and arrays only: indirect ones are objects of their
    own, visited by the caller."""
    if depth > 32:
        return False
    if isinstance(value, NameObject):
        return value in RUNNABLE_PDF_NAMES
    if isinstance(value, DictionaryObject):
        return any(
            key in RUNNABLE_PDF_NAMES or _names_runnable(item, depth + 1)
            for key, item in value.items()
        )
    if isinstance(value, ArrayObject):
        return any(_names_runnable(item, depth + 1) for item in value)
    return False


def _image(data: bytes) -> Kind:
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = IMAGES.get(image.format or "")
            width, height = image.size
            if kind is not None and width * height <= MAX_IMAGE_PIXELS:
                image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        kind = None
    else:
        if width * height > MAX_IMAGE_PIXELS:
            raise Refused(
                f"图片不能超过 {MAX_IMAGE_PIXELS // 1_000_000} 百万像素",
                f"images are capped at {MAX_IMAGE_PIXELS // 1_000_000} megapixels",
            )
    if kind is None:
        raise Refused("图片无法解码", "the image cannot be decoded")
    return kind


def _ooxml(data: bytes) -> Kind:
    not_office = Refused(
        "压缩包不是 Office 文档（docx、xlsx、pptx）", "the zip is not an Office document"
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            entries = package.infolist()
            names = {entry.filename for entry in entries}
            kinds = [kind for part, kind in OOXML_MAIN_PARTS.items() if part in names]
            if "[Content_Types].xml" not in names or len(kinds) != 1:
                raise not_office
            if len(entries) > MAX_ZIP_ENTRIES or (
                sum(entry.file_size for entry in entries) > MAX_UNZIPPED_BYTES
            ):
                raise Refused("Office 文档解压后过大", "the Office document expands too far")
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise _macros()
            if package.testzip() is not None:
                raise not_office
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise not_office from None
    return kinds[0]


def _ole(data: bytes) -> Kind:
    not_office = Refused(
        "文件不是 Office 97-2003 文档（doc、xls、ppt）",
        "the file is not an Office 97-2003 document",
    )
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as storage:
            found = [kind for stream, kind in OLE_MAIN_STREAMS if storage.exists(stream)]
            macros = any(
                storage.exists(name) for name in ("Macros", "_VBA_PROJECT_CUR", "_VBA_PROJECT")
            )
    except (OSError, ValueError, IndexError, TypeError):
        raise not_office from None
    if not found:
        raise not_office
    if macros:
        raise _macros()
    return found[0]


def _macros() -> Refused:
    return Refused(
        "不接受含宏的 Office 文档，请另存为不含宏的格式",
        "Office documents with macros are not accepted; save without macros",
    )


def _csv(data: bytes) -> Kind:
    # UTF-8 only: the sign-in sheet import reads UTF-8, and GB18030 decodes almost any bytes,
    # so accepting it would let binary files through as "text".
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _not_csv() from None
    if CONTROL.search(text):
        raise _not_csv()
    if ACTIVE_TEXT.search(text):
        raise Refused(
            "文件含有网页标记或脚本，不能作为 CSV 表格接收",
            "the file holds web markup or a script and is not accepted as a CSV table",
        )
    try:
        rows = [row for row in csv.reader(io.StringIO(text), strict=True) if row]
    except csv.Error:
        raise _not_csv() from None
    if len({len(row) for row in rows}) != 1:
        raise _not_csv()
    if any(FORMULA.match(cell) for row in rows for cell in row):
        raise Refused(
            "CSV 单元格不能以公式开头（= 或 @，或 +、- 后跟命令），表格软件打开时会执行它",
            "CSV cells may not start a formula (=, @, or + or - followed by a command): a "
            "spreadsheet would run it when opened",
        )
    return CSV


def _not_csv() -> Refused:
    return Refused(
        "仅支持 PDF、PNG/JPEG 图片、Office 文档或 UTF-8 编码且各行列数一致的 CSV 表格",
        "only PDF, PNG/JPEG images, Office documents, or CSV tables in UTF-8 with the same "
        "number of columns on every row",
    )
