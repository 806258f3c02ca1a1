"""Word building blocks for auditor/reporters/docx.py: page, styles, fonts, fields, tables, 決裁欄.

Fonts: Word on Windows shows the body in 游明朝 and headings in 游ゴシック. Each run style names the font
for every script (w:ascii, w:hAnsi, w:eastAsia, w:cs) with no theme font in between, and the
document's font table describes both (Japanese charset, PANOSE class) with their alternative names
(w:altName: Yu Mincho / ＭＳ 明朝, Yu Gothic / ＭＳ ゴシック): where a 游 font is missing (an older
Windows, LibreOffice), the application substitutes the ＭＳ font or another Japanese face, not a
Latin one. The page is A4 portrait with the margins of a municipal document.
"""
from __future__ import annotations

import io
from xml.sax.saxutils import escape

from . import office

BODY, HEADING = "游明朝", "游ゴシック"
# name -> (alternative names, PANOSE-1, family, pitch)
FONTS = {
    "游明朝": ("Yu Mincho,ＭＳ 明朝,MS Mincho", "02020400000000000000", "roman", "variable"),
    "游ゴシック": ("Yu Gothic,ＭＳ ゴシック,MS Gothic", "020B0400000000000000", "swiss", "variable"),
    "ＭＳ 明朝": ("MS Mincho", "02020609040205080304", "modern", "fixed"),
    "ＭＳ ゴシック": ("MS Gothic", "020B0609070205080204", "modern", "fixed"),
}
PAGE_MM = (210, 297)  # A4 portrait
MARGINS_MM = {"top": 25, "bottom": 22, "left": 25, "right": 20}
TEXT_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]  # 165 mm for tables
TABLE_TEXT = "Table Text"  # the paragraph style of every table cell
TABLE_TEXT_ID = "TableText"  # its style ID: set directly, a lookup by name walks every style
HEADER_FILL = "D9D9D9"
TWIPS_PER_MM = 1440 / 25.4
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_SIZES = {"Normal": 10.5, "Title": 20, "Heading 1": 15, "Heading 2": 12.5, "Heading 3": 11, TABLE_TEXT: 9}


def _oxml():
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    return OxmlElement, qn


def rfonts(rpr, name: str) -> None:
    """One font for every script of a run properties element, theme fonts removed."""
    OxmlElement, qn = _oxml()
    el = rpr.find(qn("w:rFonts"))
    if el is None:
        el = OxmlElement("w:rFonts")
        rpr.insert(0, el)
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        el.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        el.set(qn(f"w:{attr}"), name)


def new_document(lang: str):
    """An empty A4 Word document with the report's styles and fonts."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Mm, Pt, RGBColor

    d = docx.Document()
    OxmlElement, qn = _oxml()
    styles = d.styles
    defaults = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rfonts(defaults, BODY)
    language = defaults.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        defaults.append(language)
    language.set(qn("w:val"), "ja-JP" if lang == "ja" else "en-GB")
    language.set(qn("w:eastAsia"), "ja-JP")
    table_text = styles.add_style(TABLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
    assert table_text.style_id == TABLE_TEXT_ID
    table_text.base_style = styles["Normal"]
    table_text.paragraph_format.space_before = table_text.paragraph_format.space_after = Pt(0)
    table_text.paragraph_format.line_spacing = 1.0
    for name, size in _SIZES.items():
        style = styles[name]
        style.font.size = Pt(size)
        rfonts(style.element.get_or_add_rPr(), HEADING if name.startswith(("Heading", "Title")) else BODY)
        if name != "Normal" and name != TABLE_TEXT:
            style.font.color.rgb = RGBColor(0, 0, 0)
            style.font.bold = True
    styles["Normal"].paragraph_format.space_after = Pt(4)
    for border in styles["Title"].element.iter(qn("w:bottom")):  # the template's blue rule under the title
        border.set(qn("w:color"), "000000")
        border.attrib.pop(qn("w:themeColor"), None)
    for level in (1, 2, 3):
        styles[f"Heading {level}"].paragraph_format.space_before = Pt((18, 12, 8)[level - 1])
        styles[f"Heading {level}"].paragraph_format.space_after = Pt(4)
    section = d.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    for side, mm in MARGINS_MM.items():
        setattr(section, f"{side}_margin", Mm(mm))
    section.header_distance = section.footer_distance = Mm(10)
    _font_table(d)
    _settings(d)
    return d


def _font_table(d) -> None:
    """The 游 and ＭＳ fonts in word/fontTable.xml, with alternative names, charset and PANOSE."""
    from lxml import etree

    OxmlElement, qn = _oxml()
    part = next(p for p in d.part.package.iter_parts() if p.partname == "/word/fontTable.xml")
    root = etree.fromstring(part.blob)
    for el in root.findall(qn("w:font")):
        if el.get(qn("w:name")) in FONTS:
            root.remove(el)
    for name, (alt, panose, family, pitch) in FONTS.items():
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, value in (("altName", alt), ("panose1", panose), ("charset", "80"), ("family", family),
                           ("pitch", pitch)):
            etree.SubElement(font, qn(f"w:{tag}")).set(qn("w:val"), value)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _settings(d) -> None:
    """Japanese line breaking (compress punctuation); no random document ID."""
    _, qn = _oxml()
    settings = d.settings.element
    spacing = settings.find(qn("w:characterSpacingControl"))
    if spacing is not None:
        spacing.set(qn("w:val"), "compressPunctuation")
    for el in settings.findall("{http://schemas.microsoft.com/office/word/2010/wordml}docId"):
        settings.remove(el)


def field(paragraph, instruction: str, shown: str) -> None:
    """A Word field (PAGE, NUMPAGES...) in a paragraph, showing `shown` until it is updated."""
    OxmlElement, qn = _oxml()

    def mark(kind: str):
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(el)

    mark("begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    paragraph.add_run()._r.append(code)
    mark("separate")
    paragraph.add_run(shown)
    mark("end")


def footer(section, lang: str) -> None:
    """Page numbers in the footer, centred: ' 3 / 12 ' (PAGE and NUMPAGES fields)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    par = section.footer.paragraphs[0]
    par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field(par, "PAGE", "1")
    par.add_run(" / ")
    field(par, "NUMPAGES", "1")


def header(section, text: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    par = section.header.paragraphs[0]
    par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = par.add_run(office.text(text))
    run.font.size = Pt(8)


def table(d, columns: list, rows: list, small: bool = False, header_row: bool = True, label_column: bool = False):
    """A table in the document's table style: columns = [(heading, width in mm, 'l'|'r')], a row's value a
    text or a list of lines; the heading row repeats on every page, rows never split across pages, every
    cell is inert text. Widths beyond the text width are scaled down to it. small: 7.5 pt and narrow cell
    margins (wide tables); label_column: the first column is shaded like the heading row (key-value tables).

    The table is written as WordprocessingML in one piece (python-docx's cell by cell API costs a
    second per report); the returned python-docx Table reads and edits it as usual."""
    from docx.oxml import parse_xml
    from docx.table import Table

    total = sum(c[1] for c in columns)
    scale = TEXT_MM / total if total > TEXT_MM else 1.0
    widths = [round(c[1] * scale * TWIPS_PER_MM) for c in columns]
    margins = ('<w:tblCellMar><w:left w:w="50" w:type="dxa"/><w:right w:w="50" w:type="dxa"/></w:tblCellMar>'
               if small else "")
    out = [f'<w:tbl {W_NS}><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
           f'<w:jc w:val="center"/><w:tblLayout w:type="fixed"/>{margins}'
           f'<w:tblLook w:val="04A0" w:firstRow="{int(header_row)}" w:lastRow="0" w:firstColumn="{int(label_column)}" '
           'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>',
           *(f'<w:gridCol w:w="{w}"/>' for w in widths), "</w:tblGrid>"]
    size = '<w:sz w:val="15"/><w:szCs w:val="15"/>' if small else ""
    body = [[c[0] for c in columns]] + list(rows) if header_row else list(rows)
    for i, values in enumerate(body):
        head = header_row and i == 0
        out.append("<w:tr><w:trPr><w:cantSplit/>" + ("<w:tblHeader/>" if head else "") + "</w:trPr>")
        for j, (value, col, w) in enumerate(zip(values, columns, widths)):
            label = head or (label_column and j == 0)
            shade = f'<w:shd w:val="clear" w:color="auto" w:fill="{HEADER_FILL}"/>' if label else ""
            ppr = f'<w:pPr><w:pStyle w:val="{TABLE_TEXT_ID}"/>' + (
                '<w:jc w:val="right"/>' if col[2] == "r" and not head else "") + "</w:pPr>"
            rpr = ("<w:b/><w:bCs/>" if label else "") + size
            rpr = f"<w:rPr>{rpr}</w:rPr>" if rpr else ""
            out.append(f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>{shade}</w:tcPr>')
            # a list is one paragraph per line: a line break inside evidence text stays an escape
            for line in value if isinstance(value, (list, tuple)) else [value]:
                text = escape(office.cell(line))
                run = f'<w:r>{rpr}<w:t xml:space="preserve">{text}</w:t></w:r>' if text else ""
                out.append(f"<w:p>{ppr}{run}</w:p>")
            out.append("</w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    tbl = parse_xml("".join(out))
    d.element.body._insert_tbl(tbl)
    return Table(tbl, d._body)


def _shade(cell, fill: str) -> None:
    OxmlElement, qn = _oxml()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def approval(d, o: dict, signed: dict | None = None):
    """The 決裁欄 (approval block), top right of the first page: 起案・審査・決裁 by 職・氏名・日付,
    left blank for the town to fill in (or sign) before the report is approved; filled from `signed`
    (auditor/reporters/approval.view) once the sign-off is recorded."""
    from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    a = o["approval"]
    if signed is None:
        stages = [a["drafted"], a["reviewed"], a["approved"]]
        rows = [[a["title"], *stages], [a["role"], "", "", ""], [a["name"], "", "", ""], [a["date"], "", "", ""]]
    else:
        rows = [[a["title"], *signed["columns"]], *([label, *cells] for label, cells in signed["rows"])]
    t = d.add_table(rows=0, cols=len(rows[0]))
    t.style = d.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.RIGHT
    t.autofit = False
    widths = [Mm(20)] + [Mm(25)] * (len(rows[0]) - 1)
    for col, w in zip(t.columns, widths):
        col.width = w
    for i, values in enumerate(rows):
        tr = t.add_row()
        tr.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        tr.height = Mm((7, 9, 14, 9)[i])
        for j, (cell, value, w) in enumerate(zip(tr.cells, values, widths)):
            cell.width = w
            par = cell.paragraphs[0]
            par._p.style = TABLE_TEXT_ID
            par.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if value:
                par.add_run(office.text(value)).bold = i == 0 or j == 0
            if i == 0 or j == 0:
                _shade(cell, HEADER_FILL)
    return t


def properties(d, title: str, author: str, subject: str, lang: str, issued: str) -> None:
    """Document properties that name the report and its organisation, and nothing of the machine or the
    user who ran it (no user name, no path, no template's leftovers)."""
    when = office.moment_utc(issued)
    core = d.core_properties
    core.title, core.author, core.subject = office.text(title), office.text(author), office.text(subject)
    core.last_modified_by, core.comments, core.keywords, core.category = "", "", "", ""
    core.language, core.revision, core.created, core.modified = ("ja-JP" if lang == "ja" else "en-GB"), 1, when, when
    core.identifier, core.content_status, core.version = "", "", ""
    _app_properties(d)
    package = d.part.package
    thumbs = [r for r in package.rels.values() if r.reltype.endswith("/thumbnail")]
    for rel in thumbs:  # the template's blank preview picture: not what this document looks like
        package.rels.pop(rel.rId)
    # Word 2010's copy of the styles (optional; Word rebuilds it): without it, edited styles cannot disagree
    for rel in [r for r in d.part.rels.values() if r.reltype.endswith("/stylesWithEffects")]:
        d.part.rels.pop(rel.rId)


def _app_properties(d) -> None:
    part = next(p for p in d.part.package.iter_parts() if p.partname == "/docProps/app.xml")
    part._blob = office.app_properties()


def save(d, issued: str) -> bytes:
    buf = io.BytesIO()
    d.save(buf)
    return office.repack(buf.getvalue(), office.moment(issued))
