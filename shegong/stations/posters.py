"""Printable A4 posters with the QR code of a station or a community, as PDF (reportlab) and as a print-ready page,
and the staff endpoints that serve them and the QR images.

The PDF uses reportlab's built-in CID font STSong-Light for Chinese (no font file to ship: the reader supplies the
glyphs) and draws the QR code as vector squares from the same symbol the PNG and SVG come from, so it prints sharp
at any size. A street's batch puts every community's poster on its own page of one PDF, for the station head to
print in one go.
"""

import io
import re
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from shegong.stations import qr
from shegong.stations.models import Station

CJK_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
BRAND = HexColor("#0b5cad")
GREY = HexColor("#555555")
NOTICE = HexColor("#b42318")
LINE = HexColor("#c9d3df")
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 48
QR_LARGEST = 300
QR_SMALLEST = 170

if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


@dataclass(frozen=True)
class Poster:
    """What one poster says; the PDF and the print page render the same data."""

    code: str
    url: str
    heading: str  # the kind of place: 镇街社工站, 村社社工室, 社会工作服务 …
    title: str
    place: str
    notice: str  # a suspended or revoked station says so on the poster
    rows: tuple[tuple[str, str], ...]  # (label, value): service hours, address, phone …
    agency: str
    call: str  # 扫码提交服务需求 · 查看服务项目


def _status_notice(station: Station) -> str:
    if station.status == Station.Status.SUSPENDED:
        return _("本站点暂停服务")
    if station.status == Station.Status.REVOKED:
        return _("本站点已撤销")
    return ""


def _station_rows(station: Station) -> list[tuple[str, str]]:
    rows = [
        (_("服务时间"), station.service_hours),
        (_("地址"), station.address),
        (_("联系电话"), station.phone),
        (_("依托单位"), station.host_institution),
    ]
    return [(label, value) for label, value in rows if value]


def poster_for(target: qr.PublicTarget, url: str) -> Poster:
    """The poster of a station, or of a community (its details come from the station that serves it: its own room,
    else its street's station)."""
    station = target.station
    if station is None and target.stations:
        # A suspended room sends residents to the street's station while it is closed.
        station = next((s for s in target.stations if s.status != Station.Status.SUSPENDED), target.stations[0])
    if target.is_community:
        heading = station.get_kind_display() if station and station.kind == Station.Kind.ROOM else _("社会工作服务")
        rows = [(_("服务站点"), station.name), *_station_rows(station)] if station else []
        notice = ""
    else:
        heading, rows, notice = station.get_kind_display(), _station_rows(station), _status_notice(station)
    agency = station.agency.name if station and station.agency_id else ""
    return Poster(
        code=target.code,
        url=url,
        heading=str(heading),
        title=target.title,
        # A community's own name is the title already; a station's name seldom says which community it sits in.
        place=" · ".join(target.place_names[:-1] if target.is_community else target.place_names),
        notice=notice,
        rows=tuple(rows),
        agency=agency,
        call=_("扫码提交服务需求 · 查看服务项目"),
    )


# --- PDF ------------------------------------------------------------------------------------------------------------

# Latin words, numbers, phone numbers and URLs stay whole on a line; Chinese breaks between any two characters.
_TOKEN = re.compile(r"[A-Za-z0-9@#&+\-_.:/]+|\s+|.", re.S)
# Closing punctuation never starts a line (禁则): it hangs at the end of the line before.
_NO_LINE_START = set("，。、；：！？）》」』”’,.;:!?)")


def wrap(text: str, size: float, width: float, font: str = CJK_FONT) -> list[str]:
    """Break `text` into lines no wider than `width` at `size` points."""

    def fits(value: str) -> bool:
        return pdfmetrics.stringWidth(value, font, size) <= width

    lines, line = [], ""
    for token in _TOKEN.findall(text):
        # A URL longer than the line breaks anywhere.
        tokens = list(token) if len(token) > 1 and not fits(token) else [token]
        for piece in tokens:
            if not line or fits(line + piece) or piece in _NO_LINE_START:
                line += piece
            else:
                lines.append(line.rstrip())
                line = piece.lstrip()
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _fit_title(text: str, width: float) -> tuple[float, list[str]]:
    """The largest size (40 down to 24 points) at which the title fits on two lines; three at the smallest."""
    for size in range(40, 23, -2):
        lines = wrap(text, size, width)
        if len(lines) <= 2:
            return size, lines
    return 24, wrap(text, 24, width)[:3]


def _centred(canvas: Canvas, text: str, y: float, size: float, font: str = CJK_FONT) -> None:
    canvas.setFont(font, size)
    canvas.drawCentredString(PAGE_WIDTH / 2, y, text)


def draw_qr(canvas: Canvas, modules: list[list[bool]], x: float, y: float, size: float) -> None:
    """The symbol as filled squares, (x, y) its lower-left corner; runs of dark modules on a row are merged into one
    rectangle, which keeps the page small and leaves no hairline gaps between modules."""
    count = len(modules)
    step = size / count
    for row_index, row in enumerate(modules):
        top = y + size - (row_index + 1) * step
        column = 0
        while column < count:
            if not row[column]:
                column += 1
                continue
            start = column
            while column < count and row[column]:
                column += 1
            canvas.rect(x + start * step, top, (column - start) * step, step, stroke=0, fill=1)


def _draw_page(canvas: Canvas, poster: Poster) -> None:
    inner = PAGE_WIDTH - 2 * MARGIN
    band = 84
    canvas.setFillColor(BRAND)
    canvas.rect(0, PAGE_HEIGHT - band, PAGE_WIDTH, band, stroke=0, fill=1)
    canvas.setFillColor(white)
    canvas.setFont(CJK_FONT, 22)
    canvas.drawString(MARGIN, PAGE_HEIGHT - band / 2 - 8, poster.heading)

    # Top block: the name (large, faux bold: filled and stroked), where it is, any status notice.
    y = PAGE_HEIGHT - band - 34
    size, lines = _fit_title(poster.title, inner)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setStrokeColorRGB(0, 0, 0)
    canvas.setLineWidth(size / 40)
    for line in lines:
        y -= size
        text = canvas.beginText()
        text.setTextRenderMode(2)
        text.setFont(CJK_FONT, size)
        text.setTextOrigin((PAGE_WIDTH - pdfmetrics.stringWidth(line, CJK_FONT, size)) / 2, y)
        text.textOut(line)
        canvas.drawText(text)
        y -= size * 0.25
    if poster.place:
        y -= 22
        canvas.setFillColor(GREY)
        _centred(canvas, poster.place, y, 15)
    if poster.notice:
        y -= 30
        canvas.setFillColor(NOTICE)
        _centred(canvas, poster.notice, y, 20)
    top_of_qr_area = y - 18

    # Bottom block, laid out upwards from the margin: the address of the page, the agency, the details, the call.
    label_size, value_size, leading = 13, 14, 20
    label_width = max([pdfmetrics.stringWidth(label, CJK_FONT, label_size) for label, _v in poster.rows] + [0]) + 12
    rows = [(label, wrap(value, value_size, inner - label_width)[:3]) for label, value in poster.rows]
    # The details sit as one block under the centred QR code: centred by their widest line, labels aligned.
    widest = max([pdfmetrics.stringWidth(v, CJK_FONT, value_size) for _l, lines in rows for v in lines] + [0])
    left = (PAGE_WIDTH - label_width - widest) / 2
    y = MARGIN
    canvas.setFillColor(GREY)
    _centred(canvas, poster.url, y, 9, LATIN_FONT)
    if poster.agency:
        y += 22
        canvas.setFillColorRGB(0, 0, 0)
        agency_line = wrap(_("承接机构：%(agency)s") % {"agency": poster.agency}, 13, inner)[0]
        _centred(canvas, agency_line, y, 13)
    y += 16
    canvas.setStrokeColor(LINE)
    canvas.setLineWidth(0.8)
    canvas.line(MARGIN, y, PAGE_WIDTH - MARGIN, y)
    y += 10
    for label, value_lines in reversed(rows):
        for index, value in enumerate(reversed(value_lines)):
            y += leading
            canvas.setFillColorRGB(0, 0, 0)
            canvas.setFont(CJK_FONT, value_size)
            canvas.drawString(left + label_width, y, value)
            if index == len(value_lines) - 1:
                canvas.setFillColor(GREY)
                canvas.setFont(CJK_FONT, label_size)
                canvas.drawString(left, y, label)
    y += 34
    canvas.setFillColor(BRAND)
    _centred(canvas, poster.call, y, 20)
    bottom_of_qr_area = y + 26

    # The QR code takes the space between, centred in a light frame.
    modules = qr.qr_modules(poster.url)
    room = top_of_qr_area - bottom_of_qr_area - 2 * 14
    size = max(QR_SMALLEST, min(QR_LARGEST, room))
    x = (PAGE_WIDTH - size) / 2
    qr_y = bottom_of_qr_area + 14 + max(0, (room - size) / 2)
    canvas.setStrokeColor(LINE)
    canvas.setLineWidth(1)
    canvas.roundRect(x - 14, qr_y - 14, size + 28, size + 28, 10, stroke=1, fill=0)
    canvas.setFillColorRGB(0, 0, 0)
    draw_qr(canvas, modules, x, qr_y, size)


def render_pdf(posters: list[Poster], title: str) -> bytes:
    """One A4 page per poster."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(title)
    canvas.setCreator(_("社会工作信息平台"))
    for poster in posters:
        _draw_page(canvas, poster)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# --- Staff endpoints ------------------------------------------------------------------------------------------------

QR_FORMATS = {"png": ("image/png", qr.qr_png), "svg": ("image/svg+xml", qr.qr_svg)}
# Staff downloads: private (a shared cache must not keep them), short enough that a renamed station shows soon.
PRIVATE_CACHE = "private, max-age=300"


def _require_view(request) -> None:
    if not request.user.has_perm(qr.VIEW):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def _file_response(content: bytes, content_type: str, filename: str, download: bool) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'{"attachment" if download else "inline"}; filename="{filename}"'
    response["Cache-Control"] = PRIVATE_CACHE
    return response


@login_required
def qr_image(request, code: str, fmt: str):
    """The QR code of a station or a community (`fmt` png or svg); `?download=1` saves it as a file."""
    _require_view(request)
    if fmt not in QR_FORMATS:
        raise Http404
    target = qr.staff_target(request.user, code)
    content_type, make = QR_FORMATS[fmt]
    content = make(qr.public_url(target.code, request))
    return _file_response(content, content_type, f"qr-{target.code}.{fmt}", "download" in request.GET)


@login_required
def poster_pdf(request, code: str):
    _require_view(request)
    target = qr.staff_target(request.user, code)
    poster = poster_for(target, qr.public_url(target.code, request))
    content = render_pdf([poster], poster.title)
    return _file_response(content, "application/pdf", f"poster-{target.code}.pdf", "download" in request.GET)


def _print_page(request, posters_: list[Poster], title: str, **context):
    # The QR codes travel inside the page (data: URIs, which the CSP's img-src allows): one request however many
    # sheets a street has, and the page prints the same when saved to disk.
    sheets = [{"poster": poster, "qr": qr.qr_svg_data_uri(poster.url)} for poster in posters_]
    return render(request, "stations/poster.html", {"sheets": sheets, "title": title, **context})


@login_required
def poster_print(request, code: str):
    """The same poster as a page to print from the browser (A4, no navigation)."""
    _require_view(request)
    target = qr.staff_target(request.user, code)
    poster = poster_for(target, qr.public_url(target.code, request))
    return _print_page(request, [poster], poster.title, pdf_code=target.code)


def _street_posters(request, code: str):
    street, targets = qr.street_for_staff(request.user, code)
    return street, [poster_for(target, qr.public_url(target.code, request)) for target in targets]


@login_required
def street_posters_pdf(request, code: str):
    """Every community of a street or township, one page each, in one PDF."""
    _require_view(request)
    street, posters = _street_posters(request, code)
    if not posters:
        raise Http404
    title = _("%(street)s 各社区服务海报") % {"street": street.name}
    content = render_pdf(posters, title)
    return _file_response(content, "application/pdf", f"posters-{street.code}.pdf", "download" in request.GET)


@login_required
def street_posters_print(request, code: str):
    _require_view(request)
    street, posters = _street_posters(request, code)
    if not posters:
        raise Http404
    title = _("%(street)s 各社区服务海报") % {"street": street.name}
    return _print_page(request, posters, title, street=street)
