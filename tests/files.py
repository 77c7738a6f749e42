"""Real files of each kind the platform keeps, made with the libraries that write them."""

import io
import zipfile

import openpyxl
import xlwt
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject


def pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)  # A4
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_with_javascript(*, escaped: bool = False) -> bytes:
    """A one-page PDF that runs a script when opened; `escaped` spells the action's type
    `/Jav#61Script`, as a reader still understands it."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert(1);"),
        }
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    data = buffer.getvalue()
    return data.replace(b"/JavaScript", b"/Jav#61Script") if escaped else data


def pdf_with_attachment() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("setup.exe", b"MZ\x90\x00")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image(format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(buffer, format=format)
    return buffer.getvalue()


def huge_image(width: int, height: int) -> bytes:
    """A one-bit PNG: a few kilobytes that decode to `width` × `height` pixels."""
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, format="PNG")
    return buffer.getvalue()


def xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["单位名称", "出勤情况"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xls() -> bytes:
    """An Excel 97-2003 workbook: an OLE compound file with its Workbook stream."""
    book = xlwt.Workbook()
    book.add_sheet("签到").write(0, 0, "单位名称")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ooxml(*parts: str) -> bytes:
    """A zip package holding these parts (each with a stub body)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for part in parts:
            package.writestr(part, "<?xml version='1.0'?><x/>")
    return buffer.getvalue()


def docx() -> bytes:
    return ooxml("[Content_Types].xml", "_rels/.rels", "word/document.xml")


def expanding_docx(unzipped: int) -> bytes:
    """A docx whose document part inflates to `unzipped` bytes of zeros (streamed, so the test
    never holds them)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<?xml version='1.0'?><x/>")
        with package.open("word/document.xml", "w", force_zip64=True) as part:
            chunk = bytes(1024 * 1024)
            for _ in range(unzipped // len(chunk)):
                part.write(chunk)
    return buffer.getvalue()
