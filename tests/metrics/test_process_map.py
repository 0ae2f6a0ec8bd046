"""The process map on the flow page, its SVG and PNG downloads, and the flow's figures as CSV:
the steps named, the bottleneck marked by more than colour, long names fitted, both
languages, 404 for another organisation and a fixed number of queries."""

from __future__ import annotations

import csv
import io
import re
import sys
from datetime import timedelta
from xml.etree.ElementTree import Element

import pytest
import time_machine
from defusedxml.ElementTree import fromstring
from django.urls import reverse
from PIL import Image

from kanban.models import Column, ColumnKind
from metrics.board_flow import board_flow
from metrics.process_map import BOX_WIDTH, CELL_EM, NAME_SIZE, PADDING, lines_of
from opsboard.exports import as_text
from tests.conftest import Tenant
from tests.kanban.conftest import BoardSetup, board_setup
from tests.metrics.test_board_flow import NOW, at, history, through

pytestmark = pytest.mark.usefixtures("fresh_cache")

SVG = "{http://www.w3.org/2000/svg}"
LONG_CHINESE = "等待平台安全团队复核并确认上线窗口的变更申请"
LONG_ENGLISH = "Waiting for the security team to review the change request"


@pytest.fixture
def review(kanban: BoardSetup) -> Column:
    """To do, In progress, Review (a queue), Done: Review is where work waits longest."""
    kanban.done.position = 3
    kanban.done.save()
    review = Column.objects.create(
        board=kanban.board, name="Review", kind=ColumnKind.TODO, position=2
    )
    for n, (doing_days, review_days) in enumerate([(1, 3), (1, 4), (2, 5), (1, 4), (2, 6)]):
        through(kanban, review, n, doing_days, review_days)
    history(kanban, "open one", ("made", at(12), kanban.todo), ("move", at(13), kanban.doing))
    history(kanban, "=HYPERLINK(1)", ("made", at(16), kanban.todo), ("move", at(17), review))
    return review


def url(name: str, tenant: Tenant, board_id: int) -> str:
    return reverse(f"metrics:{name}", args=[tenant.organization.slug, board_id])


def get(client, address: str, **headers):
    with time_machine.travel(NOW, tick=False):
        return client.get(address, headers=headers)


def download(client, tenant: Tenant, board_id: int, name: str, content_type: str):
    """A download of the board's flow: found, of its type, saved as a file."""
    response = get(client, url(name, tenant, board_id))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return response


def root_of(svg: str) -> Element:
    return fromstring(svg.split("?>", 1)[-1])


def steps_of(svg: str) -> dict[str, Element]:
    """The drawing's boxes by the column each names (its <title>)."""
    root = root_of(svg)
    return {
        group.find(f"{SVG}title").text: group
        for group in root.iter(f"{SVG}g")
        if "pm-step" in group.get("class", "")
    }


def texts(group: Element) -> list[str]:
    return [text.text for text in group.iter(f"{SVG}text")]


def test_the_map_names_each_step_and_marks_the_bottleneck(
    tenant: Tenant, kanban: BoardSetup, review: Column, client
) -> None:
    client.force_login(tenant.member.user)
    svg = download(
        client, tenant, kanban.board.pk, "board_flow_map_svg", "image/svg+xml; charset=utf-8"
    ).content.decode()
    steps = steps_of(svg)
    assert list(steps) == ["To do", "In progress", "Review", "Done"]
    # The bottleneck: hatched, outlined and labelled in words, and no other step is.
    bottleneck = steps["Review"]
    assert "pm-bottleneck" in bottleneck.get("class")
    assert "Bottleneck" in texts(bottleneck)
    assert any(rect.get("fill") == "url(#pm-hatch)" for rect in bottleneck.iter(f"{SVG}rect"))
    for name in ("To do", "In progress", "Done"):
        assert "Bottleneck" not in texts(steps[name])
        assert "pm-bottleneck" not in steps[name].get("class")
    # Each box says what its time is (the median, in words), of how many cards, and how many
    # are in it now; the queue says it is one, and waits all its time.
    with time_machine.travel(NOW, tick=False):  # the history is read as of today
        flow = board_flow(kanban.board)
    in_progress = next(c for c in flow.history.columns if c.name == "In progress")
    assert f"Median: {in_progress.median_days} days" in texts(steps["In progress"])
    assert "of 5 cards that left it" in texts(steps["In progress"])
    assert "1 card now" in texts(steps["In progress"])
    assert texts(steps["Review"])[1:] == [
        "Queue: waiting",
        "Review",
        "Median: 4.0 days",
        "of 5 cards that left it",
        "1 card now",
        "Waiting: 100%",
    ]
    assert "Not started" in texts(steps["To do"])
    assert not any(t.startswith("Median") for t in texts(steps["Done"]))
    # The reason in words, and the legend that says what the waits are.
    assert "Bottleneck: Review. Work waits longest here" in svg
    assert "records no time" in svg
    root = root_of(svg)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Process map of Churn"
    assert "The bottleneck is Review." in root.find(f"{SVG}desc").text


def test_the_flow_page_draws_the_same_map_beside_its_table(
    tenant: Tenant, kanban: BoardSetup, review: Column, client
) -> None:
    client.force_login(tenant.member.user)
    page = get(client, url("board_flow", tenant, kanban.board.pk)).text
    drawing = get(client, url("board_flow_map_svg", tenant, kanban.board.pk)).content.decode()
    inline = page[page.index("<svg xmlns") : page.index("</svg>") + 6]
    assert drawing.endswith(inline)
    assert 'aria-labelledby="pm-title pm-desc"' in inline
    for name in ("board_flow_map_svg", "board_flow_map_png", "board_flow_csv"):
        assert f'href="{url(name, tenant, kanban.board.pk)}"' in page
    # The table beside it: cards now and time waiting, and the bottleneck said in words.
    table = page[page.index('class="striped flow-columns"') :].split("</table>")[0]
    review_row = table[table.index("Review") :].split("</tr>")[0]
    assert "(the bottleneck)" in review_row
    assert re.findall(r"<td>([^<]*)</td>", review_row)[-2:] == ["1", "100%"]


def test_long_names_wrap_or_end_in_an_ellipsis_with_the_whole_name_in_a_title(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    kanban.doing.name = LONG_ENGLISH
    kanban.doing.save()
    Column.objects.filter(pk=kanban.todo.pk).update(name=LONG_CHINESE)
    Column.objects.filter(pk=kanban.done.pk).update(name="上线")
    client.force_login(tenant.member.user)
    svg = get(client, url("board_flow_map_svg", tenant, kanban.board.pk)).content.decode()
    steps = steps_of(svg)
    assert set(steps) == {LONG_CHINESE, LONG_ENGLISH, "上线"}
    room = BOX_WIDTH - 2 * PADDING
    for name in (LONG_CHINESE, LONG_ENGLISH):
        lines = [
            text.text for text in steps[name].iter(f"{SVG}text") if text.get("font-size") == "14"
        ]
        assert len(lines) == 2
        assert lines[-1].endswith("…")
        for line in lines:
            wide = sum(2 if "\u4e00" <= char <= "\u9fff" else 1 for char in line)
            assert wide * NAME_SIZE * CELL_EM <= room
    assert lines_of("上线", room, NAME_SIZE, 2) == (["上线"], False)
    assert lines_of("客户流失分析与用户画像数据", room, NAME_SIZE, 2) == (
        ["客户流失分析与用户", "画像数据"],
        False,
    )


def test_control_characters_in_names_are_left_out_of_the_drawing(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    Column.objects.filter(pk=kanban.doing.pk).update(name="Build\x01 it\x1b")
    kanban.board.name = "Churn\x0b"
    kanban.board.save()
    client.force_login(tenant.member.user)
    svg = get(client, url("board_flow_map_svg", tenant, kanban.board.pk)).content.decode()
    assert "Build it" in steps_of(svg)
    assert "Process map of Churn" in svg
    png = get(client, url("board_flow_map_png", tenant, kanban.board.pk))
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")


def test_the_map_in_chinese(tenant: Tenant, kanban: BoardSetup, review: Column, client) -> None:
    tenant.member.user.language = "zh-hans"
    tenant.member.user.save()
    client.force_login(tenant.member.user)
    client.cookies["django_language"] = "zh-hans"
    svg = get(
        client, url("board_flow_map_svg", tenant, kanban.board.pk), accept_language="zh-hans"
    ).content.decode()
    steps = steps_of(svg)
    assert list(steps) == ["待办", "进行中", "Review", "已完成"]
    assert "瓶颈" in texts(steps["Review"])
    assert "中位数：4.0 天" in texts(steps["Review"])
    assert "Median" not in svg and "Bottleneck" not in svg
    page = get(client, url("board_flow", tenant, kanban.board.pk), accept_language="zh-hans").text
    assert "流程图" in page and "下载" in page


def test_the_png_is_the_map_drawn(
    tenant: Tenant, kanban: BoardSetup, review: Column, client
) -> None:
    client.force_login(tenant.member.user)
    response = download(client, tenant, kanban.board.pk, "board_flow_map_png", "image/png")
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    svg = get(client, url("board_flow_map_svg", tenant, kanban.board.pk)).content.decode()
    root = root_of(svg)
    image = Image.open(io.BytesIO(response.content))
    # Twice the drawing's size, for print; four boxes are well under a few hundred KB.
    assert image.size == (int(root.get("width")) * 2, int(root.get("height")) * 2)
    assert 1200 < image.size[0] < 2400
    assert len(response.content) < 400_000
    # Drawn, not blank: the bottleneck's red label is there.
    assert (0xB4, 0x23, 0x18) in {pixel[:3] for pixel in image.convert("RGB").getdata()}


def test_a_png_once_drawn_is_kept_for_the_day(
    tenant: Tenant, kanban: BoardSetup, review: Column, client, monkeypatch
) -> None:
    client.force_login(tenant.member.user)
    first = download(client, tenant, kanban.board.pk, "board_flow_map_png", "image/png")
    # Drawn once: the next download is served even where nothing could draw it again.
    monkeypatch.setitem(sys.modules, "cairosvg", None)
    again = download(client, tenant, kanban.board.pk, "board_flow_map_png", "image/png")
    assert again.content == first.content
    # Another language is another drawing, which nothing here can draw.
    tenant.member.user.language = "zh-hans"
    tenant.member.user.save()
    client.cookies["django_language"] = "zh-hans"
    chinese = get(client, url("board_flow_map_png", tenant, kanban.board.pk))
    assert chinese.status_code == 302


def test_without_cairo_the_png_link_says_so_and_the_svg_still_works(
    tenant: Tenant, kanban: BoardSetup, review: Column, client, monkeypatch
) -> None:
    # A bare machine (``make run``) may lack the cairo library that draws the PNG.
    monkeypatch.setitem(sys.modules, "cairosvg", None)
    client.force_login(tenant.member.user)
    with time_machine.travel(NOW, tick=False):
        response = client.get(url("board_flow_map_png", tenant, kanban.board.pk), follow=True)
    assert response.redirect_chain[-1][0] == url("board_flow", tenant, kanban.board.pk)
    assert "This server cannot draw pictures" in response.content.decode()
    download(client, tenant, kanban.board.pk, "board_flow_map_svg", "image/svg+xml; charset=utf-8")


def test_the_csv_gives_board_flows_figures(
    tenant: Tenant, kanban: BoardSetup, review: Column, client
) -> None:
    client.force_login(tenant.member.user)
    response = download(
        client, tenant, kanban.board.pk, "board_flow_csv", "text/csv; charset=utf-8"
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    columns_end = rows.index([])
    header, columns, cards = rows[0], rows[1:columns_end], rows[columns_end + 2 :]
    assert header[:7] == [
        "Column",
        "Kind",
        "Step",
        "Bottleneck",
        "Cards now",
        "Cards that left it",
        "Median (days)",
    ]
    with time_machine.travel(NOW, tick=False):  # the history is read as of today
        flow = board_flow(kanban.board)
    assert [row[0] for row in columns] == [column.name for column in flow.history.columns]
    for row, column in zip(columns, flow.history.columns, strict=True):
        assert row[5] == str(column.cards)
        assert row[6:9] == [
            "" if value is None else str(value)
            for value in (column.median_days, column.p85_days, column.p95_days)
        ]
        shares = (column.blocked_share, column.waiting_share)
        assert row[9:11] == ["" if s is None else str(round(s * 100, 1)) for s in shares]
        assert row[11:14] == [str(column.arrived), str(column.left), str(column.growth)]
    review_row = next(row for row in columns if row[0] == "Review")
    assert review_row[1:5] == ["To do", "yes", "yes", "1"]
    # A title a spreadsheet would take for a formula goes out as text.
    assert [row[0] for row in cards] == [as_text(card.title) for card in flow.cards]
    assert "'=HYPERLINK(1)" in [row[0] for row in cards]
    open_one = next(row for row in cards if row[0] == "open one")
    assert open_one[1:3] == ["In progress", str(round((NOW - at(13)) / timedelta(days=1), 1))]


@pytest.mark.parametrize(
    "name", ["board_flow", "board_flow_map_svg", "board_flow_map_png", "board_flow_csv"]
)
def test_another_organisations_board_is_not_found(
    tenant: Tenant, other_tenant: Tenant, name: str, client
) -> None:
    theirs = board_setup(other_tenant, name="Theirs").board
    client.force_login(tenant.member.user)
    assert get(client, url(name, tenant, theirs.pk)).status_code == 404
    assert get(client, url(name, other_tenant, theirs.pk)).status_code == 404
    client.logout()
    assert get(client, url(name, other_tenant, theirs.pk)).status_code == 302


@pytest.mark.parametrize("cards", [3, 30])
@pytest.mark.parametrize(
    ("name", "queries"),
    [
        # The person with their memberships, the board, the open cards' ages, the cards per
        # column and the unread count; the history is kept for the day.
        ("board_flow", 5),
        ("board_flow_map_svg", 4),
        ("board_flow_map_png", 4),
        ("board_flow_csv", 4),
    ],
)
def test_a_fixed_number_of_queries(
    tenant: Tenant,
    kanban: BoardSetup,
    client,
    django_assert_num_queries,
    cards: int,
    name: str,
    queries: int,
) -> None:
    review = Column.objects.create(
        board=kanban.board, name="Review", kind=ColumnKind.TODO, position=5
    )
    for n in range(cards):
        through(kanban, review, n, 1 + n % 3, 2)
        history(kanban, f"open {n}", ("made", at(12), kanban.todo), ("move", at(13), kanban.doing))
    client.force_login(tenant.member.user)
    address = url(name, tenant, kanban.board.pk)
    get(client, address)
    with django_assert_num_queries(queries):
        assert get(client, address).status_code == 200
