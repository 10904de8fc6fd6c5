"""QR codes and posters of stations and communities: the symbols decode back to the public page's address (a small
QR reader below, in pure Python: no decoder is installed and none is added), the PNG, SVG and PDF answers, the print
page, the street's batch, and who may fetch them (anonymous → login, no permission → 403, out of scope → 404)."""

import base64
import io
import re
import zlib
from collections import Counter

import pytest
import qrcode.base
import qrcode.util
from django.urls import reverse
from PIL import Image

from shegong.accounts.models import User
from shegong.stations import posters, qr
from shegong.stations.models import Station
from shegong.testing.matrix import assert_matrix
from shegong.testing.world import COMMUNITY_A, STREET_A

pytestmark = [pytest.mark.django_db, pytest.mark.urls("shegong.stations.tests.qr_site_urls")]

STREET_B = "440105001000"  # 赤岗街道, 海珠区 (district B)
OTHER_STREET_A = "440104004000"  # 六榕街道, 越秀区: no station of agency A there


# --- A small QR reader (ISO/IEC 18004): format information, unmasking, the zigzag, de-interleaving, segments. ------


def _format_bits(ecl: int, mask: int) -> int:
    data = ecl << 3 | mask
    remainder = data
    for _ in range(10):
        remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537)
    return (data << 10 | remainder) ^ 0x5412


MASKS = [
    lambda x, y: (x + y) % 2 == 0,
    lambda x, y: y % 2 == 0,
    lambda x, y: x % 3 == 0,
    lambda x, y: (x + y) % 3 == 0,
    lambda x, y: (x // 3 + y // 2) % 2 == 0,
    lambda x, y: x * y % 2 + x * y % 3 == 0,
    lambda x, y: (x * y % 2 + x * y % 3) % 2 == 0,
    lambda x, y: ((x + y) % 2 + x * y % 3) % 2 == 0,
]


def _function_modules(n: int, version: int) -> list[list[bool]]:
    reserved = [[False] * n for _ in range(n)]

    def block(top, left, height, width):
        for y in range(max(top, 0), min(top + height, n)):
            for x in range(max(left, 0), min(left + width, n)):
                reserved[y][x] = True

    block(0, 0, 9, 9)  # finder, separator, format information
    block(0, n - 8, 9, 8)
    block(n - 8, 0, 8, 9)  # includes the dark module
    block(6, 0, 1, n)  # timing patterns
    block(0, 6, n, 1)
    centres = qrcode.util.pattern_position(version)
    for cy in centres:
        for cx in centres:
            if (cy < 9 and cx < 9) or (cy < 9 and cx > n - 9) or (cy > n - 9 and cx < 9):
                continue
            block(cy - 2, cx - 2, 5, 5)
    if version >= 7:
        block(0, n - 11, 6, 3)
        block(n - 11, 0, 3, 6)
    return reserved


def decode_qr(modules: list[list[bool]]) -> str:
    """The text of a clean symbol (no error correction needed: the images here are generated, not photographed)."""
    n = len(modules)
    version = (n - 17) // 4
    assert n == 17 + 4 * version and 1 <= version <= 40, f"not a QR symbol size: {n}"
    bits = sum(modules[i][8] << i for i in range(6)) | modules[7][8] << 6 | modules[8][8] << 7 | modules[8][7] << 8
    bits |= sum(modules[8][14 - i] << i for i in range(9, 15))
    ecl, mask = min(
        ((e, m) for e in range(4) for m in range(8)), key=lambda em: bin(_format_bits(*em) ^ bits).count("1")
    )
    assert _format_bits(ecl, mask) == bits, "format information damaged"
    reserved = _function_modules(n, version)
    stream = []
    right = n - 1
    while right >= 1:
        if right == 6:
            right = 5
        for vertical in range(n):
            for j in range(2):
                x = right - j
                y = n - 1 - vertical if ((right + 1) & 2) == 0 else vertical
                if not reserved[y][x]:
                    stream.append(modules[y][x] ^ MASKS[mask](x, y))
        right -= 2
    codewords = [int("".join("1" if b else "0" for b in stream[i : i + 8]), 2) for i in range(0, len(stream) - 7, 8)]
    blocks = qrcode.base.rs_blocks(version, ecl)
    data = [[] for _ in blocks]
    index = 0
    for i in range(max(block.data_count for block in blocks)):
        for number, block in enumerate(blocks):
            if i < block.data_count:
                data[number].append(codewords[index])
                index += 1
    bitstring = "".join(f"{byte:08b}" for block in data for byte in block)
    return _segments(bitstring, version)


ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def _segments(bitstring: str, version: int) -> str:
    position, text = 0, bytearray()

    def take(count: int) -> int:
        nonlocal position
        value = int(bitstring[position : position + count], 2)
        position += count
        return value

    wide = version >= 10
    while position + 4 <= len(bitstring):
        mode = take(4)
        if mode == 0:
            break
        if mode == 0b0100:
            text += bytes(take(8) for _ in range(take(16 if wide else 8)))
        elif mode == 0b0001:
            count = take(12 if wide else 10)
            digits = ""
            while len(digits) < count:
                chunk = min(3, count - len(digits))
                digits += str(take({3: 10, 2: 7, 1: 4}[chunk])).zfill(chunk)
            text += digits.encode()
        elif mode == 0b0010:
            count = take(11 if wide else 9)
            chars = ""
            while len(chars) < count:
                if count - len(chars) >= 2:
                    pair = take(11)
                    chars += ALPHANUMERIC[pair // 45] + ALPHANUMERIC[pair % 45]
                else:
                    chars += ALPHANUMERIC[take(6)]
            text += chars.encode()
        else:
            raise AssertionError(f"unexpected segment mode {mode:04b}")
    return text.decode("utf-8")


def png_modules(content: bytes) -> list[list[bool]]:
    """Sample the centre of every module of a PNG symbol, finding the module size from the top-left finder."""
    image = Image.open(io.BytesIO(content)).convert("L")
    width, height = image.size
    assert width == height
    pixels = image.load()
    dark = [x for x in range(width) if pixels[x, x] < 128]
    start = dark[0]
    run = next(x for x in range(start, width) if pixels[x, start] >= 128) - start
    box = run / 7  # the finder is 7 modules wide
    count = round((width - 2 * start) / box)
    return [
        [pixels[int(start + (col + 0.5) * box), int(start + (row + 0.5) * box)] < 128 for col in range(count)]
        for row in range(count)
    ]


def svg_modules(content: bytes) -> list[list[bool]]:
    text = content.decode()
    side = int(re.search(r'viewBox="0 0 (\d+) (\d+)"', text).group(1))
    count = side - 2 * qr.QUIET_ZONE
    modules = [[False] * count for _ in range(count)]
    for x, y in re.findall(r"M(\d+),(\d+)H", text):
        modules[int(y) - qr.QUIET_ZONE][int(x) - qr.QUIET_ZONE] = True
    return modules


# --- Reading a PDF without a PDF library: the streams are ASCII85 + Flate, the text is in Tj operators. -----------


def pdf_streams(content: bytes) -> list[bytes]:
    streams = []
    for match in re.finditer(rb"obj\s*<<((?:(?!endobj).)*?)>>\s*stream\r?\n(.*?)\r?\n?endstream", content, re.S):
        header, data = match.groups()
        if b"ASCII85Decode" in header:
            data = base64.a85decode(data.strip().removesuffix(b"~>"))
        if b"FlateDecode" in header:
            data = zlib.decompress(data)
        streams.append(data)
    return streams


def _pdf_string(raw: bytes) -> bytes:
    out, i = bytearray(), 0
    escapes = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}
    while i < len(raw):
        char = raw[i]
        if char == 0x5C:  # backslash
            following = raw[i + 1]
            if 0x30 <= following <= 0x37:
                octal = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4]).group()
                out.append(int(octal, 8))
                i += 1 + len(octal)
                continue
            out.append(escapes.get(following, following))
            i += 2
            continue
        out.append(char)
        i += 1
    return bytes(out)


def pdf_pages_text(content: bytes) -> list[list[str]]:
    """The text runs of each page (one content stream per page here): runs in a CID font (Type0) are UTF-16BE, the
    others single-byte."""
    cid_fonts = {
        name
        for body in re.findall(rb"\d+ 0 obj(.*?)endobj", content, re.S)
        if b"/Subtype /Type0" in body
        for name in re.findall(rb"/Name /(F\d+)", body)
    }
    assert cid_fonts, "no CID font in the PDF"
    pages = []
    for stream in pdf_streams(content):
        if b" Tf" not in stream:
            continue
        runs, font = [], b""
        for match in re.finditer(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", stream, re.S):
            if match.group(1):
                font = match.group(1)
                continue
            raw = _pdf_string(match.group(2))
            runs.append(raw.decode("utf-16-be") if font in cid_fonts else raw.decode("latin-1"))
        pages.append(runs)
    return pages


def pdf_qr(content: bytes, page: int = 0) -> tuple[list[list[bool]], float]:
    """The QR symbol drawn on a page and its side in points: the filled rectangles one module high (the most common
    rectangle height)."""
    streams = [s for s in pdf_streams(content) if b" re" in s]
    rects = [
        tuple(float(v) for v in match)
        for match in re.findall(rb"([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+) re f", streams[page])
    ]
    step = Counter(round(h, 3) for _x, _y, _w, h in rects).most_common(1)[0][0]
    cells = [(x, y, w) for x, y, w, h in rects if round(h, 3) == step]
    left = min(x for x, _y, _w in cells)
    bottom = min(y for _x, y, _w in cells)
    count = round((max(x + w for x, _y, w in cells) - left) / step)
    modules = [[False] * count for _ in range(count)]
    for x, y, w in cells:
        row = count - 1 - round((y - bottom) / step)
        first = round((x - left) / step)
        for column in range(first, first + round(w / step)):
            modules[row][column] = True
    return modules, count * step


def pdf_qr_modules(content: bytes, page: int = 0) -> list[list[bool]]:
    return pdf_qr(content, page)[0]


# --- Fixtures ---------------------------------------------------------------------------------------------------------


def make_station(code, name, kind, region, agency=None, status=Station.Status.OPERATING, **values) -> Station:
    values.update(code=code, name=name, kind=kind, region_id=region, province_code=region[:2], agency=agency)
    return Station.objects.create(status=status, **values)


@pytest.fixture
def network(world):
    street = make_station(
        "GZ0104003",
        "北京街社工站",
        Station.Kind.STATION,
        STREET_A,
        world.agency_a,
        service_hours="周一至周六 9:00-18:00",
        address="广州市越秀区北京路 100 号",
        phone="020-8333 1234",
    )
    room = make_station(
        "GZ0104003104", "流水井社区社工室", Station.Kind.ROOM, COMMUNITY_A, world.agency_a, service_hours="周二至周四"
    )
    other = make_station("GZ0105001", "赤岗街社工站", Station.Kind.STATION, STREET_B, world.agency_b)
    return {"street": street, "room": room, "other": other}


def _fresh(user) -> User:
    return User.objects.get(pk=user.pk)


def expected_statuses(world, in_scope: set[str], out_of_scope: set[str] = frozenset()) -> dict[str, int]:
    """200 for `in_scope`, 404 for `out_of_scope`, 403 for every other user without the permission; users with the
    permission but no stated expectation are left out (roles may grant it later)."""
    expected = {"anonymous": 302}
    for name, user in world.users.items():
        if name in in_scope:
            expected[name] = 200
        elif name in out_of_scope:
            expected[name] = 404
        elif not _fresh(user).has_perm(qr.VIEW):
            expected[name] = 403
    return expected


A_STAFF = {"city_admin", "district_a_admin", "station_head_a", "agency_admin_a"}


# --- The symbols --------------------------------------------------------------------------------------------------


def test_the_reader_reads_what_qrcode_writes():
    for text in ("http://testserver/s/440104003104/", "https://shegong.example.gov.cn/s/GZ0104003/", "A" * 300):
        assert decode_qr(qr.qr_modules(text)) == text


def test_public_url_prefers_the_configured_site(rf, settings):
    settings.ALLOWED_HOSTS = ["intranet.local"]
    request = rf.get("/", HTTP_HOST="intranet.local:8000")
    settings.PUBLIC_BASE_URL = ""
    assert qr.public_url("GZ0104003", request) == "http://intranet.local:8000/s/GZ0104003/"
    settings.PUBLIC_BASE_URL = "https://sg.example.gov.cn/"
    assert qr.public_url("GZ0104003", request) == "https://sg.example.gov.cn/s/GZ0104003/"
    assert qr.public_url("GZ0104003") == "https://sg.example.gov.cn/s/GZ0104003/"


def test_png_and_svg_of_a_station_decode_to_its_public_page(client, world, network, settings):
    settings.PUBLIC_BASE_URL = ""
    client.force_login(world.station_head_a)
    png = client.get(reverse("stations:qr", args=["GZ0104003", "png"]))
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert png["Cache-Control"] == "private, max-age=300"
    assert png["Content-Disposition"] == 'inline; filename="qr-GZ0104003.png"'
    assert decode_qr(png_modules(png.content)) == "http://testserver/s/GZ0104003/"
    svg = client.get(reverse("stations:qr", args=["GZ0104003", "svg"]) + "?download=1")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert svg["Content-Disposition"] == 'attachment; filename="qr-GZ0104003.svg"'
    assert b"style=" not in svg.content
    assert decode_qr(svg_modules(svg.content)) == "http://testserver/s/GZ0104003/"
    # The decoded address is really the station's public page.
    assert client.get("/s/GZ0104003/").status_code == 200


def test_a_community_qr_encodes_its_division_code_on_the_configured_site(client, world, network, settings):
    settings.PUBLIC_BASE_URL = "https://sg.example.gov.cn"
    client.force_login(world.district_a_admin)
    png = client.get(reverse("stations:qr", args=[COMMUNITY_A, "png"]))
    assert decode_qr(png_modules(png.content)) == f"https://sg.example.gov.cn/s/{COMMUNITY_A}/"
    other = client.get(reverse("stations:qr", args=["440104003107", "png"]))
    assert decode_qr(png_modules(other.content)) == "https://sg.example.gov.cn/s/440104003107/"


def test_unknown_format_and_codes_answer_404(client, world, network):
    client.force_login(world.city_admin)
    assert client.get(reverse("stations:qr", args=["GZ0104003", "gif"])).status_code == 404
    assert client.get(reverse("stations:qr", args=["NOPE", "png"])).status_code == 404
    # A 12-digit code that is not a community (a street) is no QR target.
    assert client.get(reverse("stations:qr", args=[STREET_A, "png"])).status_code == 404


# --- Posters ------------------------------------------------------------------------------------------------------


def test_station_poster_pdf(client, world, network, settings):
    settings.PUBLIC_BASE_URL = ""
    client.force_login(world.station_head_a)
    response = client.get(reverse("stations:poster", args=["GZ0104003"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    (page,) = pdf_pages_text(response.content)
    text = "".join(page)
    for expected in (
        "镇街社工站",
        "北京街社工站",
        "周一至周六 9:00-18:00",
        "广州市越秀区北京路 100 号",
        "020-8333 1234",
        "扫码提交服务需求 · 查看服务项目",
        "承接机构：越秀测试社工中心",
        "http://testserver/s/GZ0104003/",
    ):
        assert expected in text, expected
    assert decode_qr(pdf_qr_modules(response.content)) == "http://testserver/s/GZ0104003/"


def test_a_revoked_station_poster_says_so(client, world, network):
    Station.objects.filter(pk=network["other"].pk).update(status=Station.Status.REVOKED)
    client.force_login(world.city_admin)
    text = "".join(pdf_pages_text(client.get(reverse("stations:poster", args=["GZ0105001"])).content)[0])
    assert "本站点已撤销" in text


def test_community_poster_names_the_community_and_its_room(client, world, network):
    client.force_login(world.station_head_a)
    response = client.get(reverse("stations:poster", args=[COMMUNITY_A]))
    text = "".join(pdf_pages_text(response.content)[0])
    assert "流水井社区" in text and "居委会" not in text
    assert "服务站点" in text and "流水井社区社工室" in text and "周二至周四" in text
    assert decode_qr(pdf_qr_modules(response.content)).endswith(f"/s/{COMMUNITY_A}/")


def test_a_community_without_a_room_is_served_by_its_street_station(client, world, network):
    client.force_login(world.station_head_a)
    text = "".join(pdf_pages_text(client.get(reverse("stations:poster", args=["440104003107"])).content)[0])
    assert "北京街社工站" in text and "020-8333 1234" in text and "社会工作服务" in text


def test_long_names_wrap_and_stay_on_the_page(client, world, network):
    long_name = "越秀区北京街道流水井社区党群服务中心社会工作与志愿服务综合服务站（试点）"
    Station.objects.filter(pk=network["street"].pk).update(name=long_name, address="很长的地址" * 12)
    client.force_login(world.city_admin)
    content = client.get(reverse("stations:poster", args=["GZ0104003"])).content
    text = "".join(pdf_pages_text(content)[0])
    assert long_name in text
    # The QR code keeps a printable size.
    modules, side = pdf_qr(content)
    assert decode_qr(modules).endswith("/s/GZ0104003/")
    assert side >= posters.QR_SMALLEST - 1


def test_wrap_keeps_latin_words_and_hangs_closing_punctuation():
    lines = posters.wrap("联系电话 020-83331234，欢迎来电", 14, 110)
    assert "".join(lines).replace(" ", "") == "联系电话020-83331234，欢迎来电"
    assert any("020-83331234" in line for line in lines)
    assert not any(line.startswith("，") for line in lines)


def test_print_page_is_a4_without_navigation(client, world, network):
    client.force_login(world.station_head_a)
    response = client.get(reverse("stations:poster_print", args=["GZ0104003"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "stations/poster.css" in page and 'class="navbar' not in page
    assert "扫码提交服务需求 · 查看服务项目" in page and "北京街社工站" in page
    # The QR code is inside the page, and decodes to the station's public page.
    (embedded,) = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert decode_qr(svg_modules(base64.b64decode(embedded))) == "http://testserver/s/GZ0104003/"
    assert "style=" not in page and "<style" not in page and "onclick" not in page


def test_street_batch_has_one_page_per_community(client, world, network):
    from shegong.regions.models import Region

    communities = list(Region.objects.filter(parent_id=STREET_A, level=5).order_by("code"))
    client.force_login(world.station_head_a)
    response = client.get(reverse("stations:street_posters", args=[STREET_A]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    pages = pdf_pages_text(response.content)
    assert len(pages) == len(communities) > 1
    for page, community in zip(pages, communities, strict=True):
        assert qr.community_display_name(community.name) in "".join(page)
    assert decode_qr(pdf_qr_modules(response.content, page=len(pages) - 1)).endswith(f"/s/{communities[-1].code}/")
    html = client.get(reverse("stations:street_posters_print", args=[STREET_A])).content.decode()
    assert html.count('data-testid="poster-sheet"') == len(communities)


def test_street_batch_queries_do_not_grow_with_communities(client, world, network, django_assert_max_num_queries):
    client.force_login(world.station_head_a)
    client.get(reverse("stations:street_posters", args=[STREET_A]))  # warm the session
    with django_assert_max_num_queries(12):
        assert client.get(reverse("stations:street_posters", args=[STREET_A])).status_code == 200


# --- Who may fetch them --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["stations:poster", "stations:poster_print"])
def test_station_poster_matrix(client, world, network, url_name):
    url = reverse(url_name, args=["GZ0104003"])
    assert_matrix(client, world, url, expected_statuses(world, A_STAFF, {"district_b_admin", "outsider"}))
    other = reverse(url_name, args=["GZ0105001"])
    assert_matrix(client, world, other, expected_statuses(world, {"city_admin"}, A_STAFF - {"city_admin"}))


def test_qr_matrix(client, world, network):
    url = reverse("stations:qr", args=["GZ0104003", "svg"])
    assert_matrix(client, world, url, expected_statuses(world, A_STAFF, {"district_b_admin", "outsider"}))


def test_community_scope_follows_the_region_or_a_serving_station(client, world, network):
    # 流水井社区: agency A runs the room and the street's station, so its admin may print the poster too.
    url = reverse("stations:poster", args=[COMMUNITY_A])
    assert_matrix(client, world, url, expected_statuses(world, A_STAFF, {"district_b_admin", "outsider"}))
    # A community of 六榕街道: in district A's region, but agency A runs nothing there.
    from shegong.regions.models import Region

    elsewhere = Region.objects.filter(parent_id=OTHER_STREET_A, level=5).order_by("code").first().code
    url = reverse("stations:qr", args=[elsewhere, "png"])
    in_scope = {"city_admin", "district_a_admin"}
    assert_matrix(
        client, world, url, expected_statuses(world, in_scope, {"station_head_a", "agency_admin_a", "outsider"})
    )


def test_street_batch_matrix(client, world, network):
    url = reverse("stations:street_posters", args=[STREET_A])
    assert_matrix(client, world, url, expected_statuses(world, A_STAFF, {"district_b_admin", "outsider"}))
    url = reverse("stations:street_posters", args=[STREET_B])
    assert_matrix(client, world, url, expected_statuses(world, {"city_admin"}, A_STAFF - {"city_admin"}))
    client.force_login(world.city_admin)
    assert client.get(reverse("stations:street_posters", args=[COMMUNITY_A])).status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_printing_the_street_page_gives_one_a4_page_per_community(live_server, page, network):
    from shegong.regions.models import Region
    from shegong.testing.browser import login
    from shegong.testing.world import PASSWORD

    count = Region.objects.filter(parent_id=STREET_A, level=5).count()
    login(page, live_server.url, "station_head_a", PASSWORD)
    page.goto(live_server.url + reverse("stations:street_posters_print", args=[STREET_A]))
    assert page.get_by_test_id("poster-sheet").count() == count
    # Every QR image loaded (same origin, allowed by the CSP) and the print button is wired without inline script.
    page.wait_for_function("() => [...document.images].every((img) => img.complete && img.naturalWidth > 0)")
    assert not page.js_errors, page.js_errors
    pdf = page.pdf(format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    assert pages == count, f"{count} posters printed on {pages} pages"


def test_a_suspended_room_sends_its_community_to_the_street_station(client, world, network):
    Station.objects.filter(pk=network["room"].pk).update(status=Station.Status.SUSPENDED)
    client.force_login(world.station_head_a)
    text = "".join(pdf_pages_text(client.get(reverse("stations:poster", args=[COMMUNITY_A])).content)[0])
    assert "北京街社工站" in text and "020-8333 1234" in text
