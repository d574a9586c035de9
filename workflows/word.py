"""One Word (DOCX) table built as a single ``w:tbl`` XML string, for every document the product renders (the
decision's annex, the scorecard for signing). python-docx adding rows one by one takes seconds for thousands of
rows (architecture, field notes); building the table's XML in one pass and inserting it once takes milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

from docx.oxml.ns import nsdecls

# Characters XML 1.0 cannot hold (control characters other than tab, line feed and carriage return).
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class WordTable:
    """A bordered table of fixed column ``widths`` (twips) in ``font`` at ``size_pt``: make cells with
    :meth:`cell`, rows with :meth:`row`, then the whole table with :meth:`xml` (insert it with
    ``parse_xml``)."""

    def __init__(self, widths: Sequence[int], *, font: str, size_pt: float, spacing: int = 40):
        self.widths = list(widths)
        self.spacing = spacing
        size = round(size_pt * 2)
        fonts = f'<w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}" w:cs="{font}"/>'
        self._plain = f'<w:rPr>{fonts}<w:color w:val="000000"/><w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>'
        self._bold = (
            f'<w:rPr>{fonts}<w:b/><w:color w:val="000000"/><w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>'
        )

    def cell(self, text: str, column: int, *, bold: bool = False, align: str = "left", span: int = 1) -> str:
        """One cell starting at ``column`` (0-based), spanning ``span`` columns; ``text`` is escaped."""
        width = sum(self.widths[column : column + span])
        span_xml = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
        clean = escape(ILLEGAL_XML.sub("", text))
        return (
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{span_xml}<w:vAlign w:val="center"/></w:tcPr>'
            f'<w:p><w:pPr><w:spacing w:before="{self.spacing}" w:after="{self.spacing}"/><w:jc w:val="{align}"/>'
            f'</w:pPr><w:r>{self._bold if bold else self._plain}<w:t xml:space="preserve">{clean}</w:t></w:r>'
            "</w:p></w:tc>"
        )

    @staticmethod
    def row(cells: str, *, header: bool = False) -> str:
        """A row that never splits across pages; a ``header`` row is repeated at the top of each page."""
        return f"<w:tr><w:trPr><w:cantSplit/>{'<w:tblHeader/>' if header else ''}</w:trPr>{cells}</w:tr>"

    def xml(self, rows: Iterable[str]) -> str:
        border = '<w:{0} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        borders = "".join(border.format(s) for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
        head = (
            f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblW w:w="{sum(self.widths)}" w:type="dxa"/><w:jc w:val="center"/>'
            f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
            '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
            'w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>'
            + "".join(f'<w:gridCol w:w="{w}"/>' for w in self.widths)
            + "</w:tblGrid>"
        )
        return head + "".join(rows) + "</w:tbl>"
