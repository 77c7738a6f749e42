"""One printed page at a time, in Chinese: headings, paragraphs, labelled lines and a QR code,
set in the Noto Sans CJK font of the system (Debian's `fonts-noto-cjk`), subsetted into the
file. fpdf2 writes it; nothing here knows what a certificate or an invoice is."""

import io
from pathlib import Path

import segno
from fpdf import FPDF
from fpdf.enums import XPos, YPos

FAMILY = "cjk"
INK = (33, 37, 41)
MUTED = (108, 117, 125)
ACCENT = (138, 28, 43)


class FontMissing(RuntimeError):
    """The CJK font is not installed where the settings say (`GONGXUE_PRINT_FONT`)."""


class Printed:
    """An A4 document being written, top to bottom."""

    def __init__(self, font: Path, collection_number: int, *, title: str) -> None:
        if not font.is_file():
            raise FontMissing(
                f"no CJK font at {font}: install fonts-noto-cjk or set GONGXUE_PRINT_FONT"
            )
        self.pdf = FPDF(orientation="portrait", unit="mm", format="A4")
        # Simplified Chinese glyph forms: the collection's faces are JP, KR, SC, TC, HK.
        self.pdf.add_font(FAMILY, fname=str(font), collection_font_number=collection_number)
        self.pdf.set_title(title)
        self.pdf.set_creator("gongxue")
        self.pdf.set_auto_page_break(auto=True, margin=20)
        self.pdf.add_page()
        self.pdf.set_margins(25, 25, 25)
        self.pdf.set_y(30)

    def border(self) -> None:
        """A double frame round the page, as printed certificates have."""
        self.pdf.set_draw_color(*ACCENT)
        self.pdf.set_line_width(1.2)
        self.pdf.rect(10, 10, 190, 277)
        self.pdf.set_line_width(0.3)
        self.pdf.rect(14, 14, 182, 269)

    def heading(self, text: str, size: int = 28) -> None:
        self.pdf.set_font(FAMILY, size=size)
        self.pdf.set_text_color(*ACCENT)
        self.pdf.cell(0, size * 0.6, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(4)

    def line(
        self, text: str, size: int = 12, *, centred: bool = False, muted: bool = False
    ) -> None:
        self.pdf.set_font(FAMILY, size=size)
        self.pdf.set_text_color(*(MUTED if muted else INK))
        self.pdf.multi_cell(
            0, size * 0.55, text, align="C" if centred else "L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    def gap(self, millimetres: float) -> None:
        self.pdf.ln(millimetres)

    def labelled(self, rows: list[tuple[str, str]], size: int = 12) -> None:
        """`label：value` lines, the labels in a column of their own."""
        for label, value in rows:
            self.pdf.set_font(FAMILY, size=size)
            self.pdf.set_text_color(*MUTED)
            self.pdf.cell(32, size * 0.6, f"{label}：")
            self.pdf.set_text_color(*INK)
            self.pdf.multi_cell(0, size * 0.6, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def qr(self, url: str, size: float = 32) -> None:
        """The URL as a QR code, at the bottom right: a phone opens it from the paper."""
        image = io.BytesIO()
        segno.make(url, error="m").save(image, kind="png", scale=8, border=1)
        self.pdf.image(image, x=200 - 25 - size, y=297 - 30 - size, w=size, h=size)

    def bytes(self) -> bytes:
        return bytes(self.pdf.output())
