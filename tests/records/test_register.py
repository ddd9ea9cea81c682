"""The volume register and contents lists: right rows in two queries, a real PDF with its font, a workbook."""

import io
import subprocess

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext as _

from records import services
from records.models import BusinessItem, CatalogueSettings, Classification, Fonds, Item, Openness, Volume
from records.register import RegisterEntry, register_rows, volume_register_pdf, volume_register_xlsx

TITLE = "关于北京市朝阳区某某有限公司职工养老保险关系转移的申请材料"


def _item(*, title: str = TITLE, page_count: int = 10, year: int = 2008) -> Item:
    # Local on purpose: the shared tests/records/factories.py is being written alongside this module.
    business_item = BusinessItem.objects.select_related("category", "default_retention").get(name="转移")
    item = Item(
        fonds=Fonds.objects.get(code="Z001"),
        category_code="ZY",
        year=year,
        retention=business_item.default_retention,
        business_category=business_item.category,
        business_item=business_item,
        title=title,
        creator="区社会保险事业中心",
        page_count=page_count,
        classification=Classification.objects.get(is_default=True),
        openness=Openness.objects.get(is_default=True),
    )
    return services.catalogue_item(item=item, persons=[], user=None)


def _assemble(item: Item) -> list[Volume]:
    return services.assemble_volumes(
        fonds=item.fonds,
        category_code=item.category_code,
        year=item.year,
        retention=item.retention,
        business_category=item.business_category,
    )


@pytest.fixture
def ten_page_volumes(db):
    CatalogueSettings.objects.update(sheets_per_cm=10, max_volume_cm=1)


@pytest.fixture
def split_item_volumes(ten_page_volumes):
    """Four volumes of ten pages: a 4-page item, a 25-page item in three parts, then a 3-page item."""
    first = _item(title="参保单位开户登记表", page_count=4)
    _item(title=TITLE, page_count=25)
    _item(title="[职工基数申报材料]", page_count=3)
    return _assemble(first)


def _pdf_text(tmp_path, content: bytes, *options: str) -> str:
    path = tmp_path / "register.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", *options, str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_a_split_item_is_listed_one_of_three_with_continuous_pages(split_item_volumes):
    rows = register_rows(Volume.objects.all())
    code = "Z001-ZY·2008-D100-GL-{:04d}".format
    assert [row.entries for row in rows] == [
        (RegisterEntry(code(1), "参保单位开户登记表", "", 1, 4),),
        (RegisterEntry(code(2), TITLE, "1/3", 1, 10),),
        (RegisterEntry(code(2), TITLE, "2/3", 1, 10),),
        (RegisterEntry(code(2), TITLE, "3/3", 1, 5), RegisterEntry(code(3), "[职工基数申报材料]", "", 6, 8)),
    ]
    last = rows[-1]
    assert (last.label, last.year, last.retention_code, last.business_category) == (
        "Z001-ZY·2008-D100-GL-V004",
        2008,
        "D100",
        "管理类",
    )
    assert (last.item_count, last.first_item_number, last.last_item_number, last.page_count) == (
        2,
        "0002",
        "0003",
        8,
    )
    assert (last.first_archival_code, last.last_archival_code) == (code(2), code(3))


def test_the_rows_take_the_same_two_queries_for_two_volumes_as_for_six(ten_page_volumes):
    items = [_item(page_count=10) for _ in range(6)]
    _assemble(items[0])

    def queries(volumes):
        with CaptureQueriesContext(connection) as captured:
            rows = register_rows(volumes)
        return len(rows), len(captured)

    assert queries(Volume.objects.filter(number__lte=2)) == (2, 2)
    assert queries(Volume.objects.all()) == (6, 2)


def test_the_pdf_renders_into_page_images(split_item_volumes, tmp_path):
    (tmp_path / "register.pdf").write_bytes(volume_register_pdf(Volume.objects.all(), title="案卷登记"))
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", str(tmp_path / "register.pdf"), str(tmp_path / "page")],
        check=True,
        capture_output=True,
    )
    # The register page, then one contents page per volume.
    assert len(list(tmp_path.glob("page-*.png"))) == 5


def test_the_pdf_text_is_real_chinese_text_with_the_archival_codes(split_item_volumes, tmp_path):
    text = _pdf_text(tmp_path, volume_register_pdf(Volume.objects.all(), title="二〇〇八年案卷登记"))
    assert "二〇〇八年案卷登记" in text
    assert "参保单位开户登记表" in text
    assert "Z001-ZY·2008-D100-GL-0003" in text
    assert "Z001-ZY·2008-D100-GL-V004" in text
    assert "2/3" in text


def test_the_pdf_embeds_the_chinese_font(split_item_volumes, tmp_path):
    path = tmp_path / "register.pdf"
    path.write_bytes(volume_register_pdf(Volume.objects.all(), title="案卷登记"))
    listing = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    fonts = [line.split() for line in listing.splitlines()[2:]]
    assert fonts, listing
    # Columns: name, type (two words for TrueType), encoding, emb, sub, uni, object ID.
    assert all("WenQuanYiZenHei" in font[0] and font[-5] == "yes" for font in fonts), listing


def test_a_long_volume_repeats_the_table_header_and_wraps_long_titles(db, tmp_path):
    long_title = "关于" + "某某区参保单位职工基本养老保险关系转移接续" * 6 + "的申请"
    first = _item(title=long_title, page_count=1)
    for _n in range(29):
        _item(title=long_title, page_count=1)
    _assemble(first)
    text = _pdf_text(tmp_path, volume_register_pdf(Volume.objects.all(), title="案卷登记"))
    contents_pages = text.split("\f")[1:-1]  # after the register page; pdftotext ends with a form feed
    assert len(contents_pages) >= 2
    assert all(_("Archival code") in page for page in contents_pages)
    # Wrapped, not cut: an unwrapped title would run off the page and lose its last words.
    assert "".join("".join(contents_pages).split()).count(long_title) == 30
    assert "Z001-ZY·2008-D100-GL-0030" in contents_pages[-1]


def test_an_empty_register_says_so(db, tmp_path):
    text = _pdf_text(tmp_path, volume_register_pdf(Volume.objects.none(), title="案卷登记"))
    assert _("No volumes to list.") in text


def test_the_workbook_lists_volumes_and_their_contents(split_item_volumes):
    workbook = openpyxl.load_workbook(io.BytesIO(volume_register_xlsx(Volume.objects.all())))
    assert workbook.sheetnames == [_("Volume register"), _("Volume contents")]
    register, contents = workbook.worksheets
    assert [cell.value for cell in register[1]][:2] == [_("Volume"), _("Year")]
    assert register.max_row == 5
    assert [cell.value for cell in register[5]] == [
        "Z001-ZY·2008-D100-GL-V004",
        2008,
        "D100",
        "管理类",
        2,
        "0002",
        "0003",
        "Z001-ZY·2008-D100-GL-0002",
        "Z001-ZY·2008-D100-GL-0003",
        8,
    ]
    assert [cell.value for cell in contents[1]] == [
        _("Volume"),
        _("No."),
        _("Archival code"),
        _("Title"),
        _("Part"),
        _("First page"),
        _("Last page"),
    ]
    split_part = ["Z001-ZY·2008-D100-GL-V003", 1, "Z001-ZY·2008-D100-GL-0002", TITLE, "2/3", 1, 10]
    assert [cell.value for cell in contents[4]] == split_part
    assert contents.max_row == 6
    assert register.freeze_panes == contents.freeze_panes == "A2"
    assert contents.column_dimensions["D"].width == 60


def test_the_workbook_keeps_a_title_starting_with_equals_as_text(ten_page_volumes):
    _assemble(_item(title='=HYPERLINK("http://example.invalid")', page_count=2))
    contents = openpyxl.load_workbook(io.BytesIO(volume_register_xlsx(Volume.objects.all()))).worksheets[1]
    assert contents["D2"].data_type == "s"
    assert contents["D2"].value == '=HYPERLINK("http://example.invalid")'
