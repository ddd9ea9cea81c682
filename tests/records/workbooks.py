"""Workbooks for the import tests and the benchmark, written the way the office's old catalogues look.

`catalogue_sheet` lays a sheet out like a typed catalogue: a merged title row, a note row, the header, then
one row per item. `xlsx_bytes` writes sheets with openpyxl; `xls_bytes` writes the legacy BIFF8 format
(.xls) by hand, since no library here writes it; `encrypted_xlsx_bytes` imitates a password-protected file.
"""

from __future__ import annotations

import datetime
import io
import random
import struct
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from records.identifiers import citizen_id_check_char

HEADERS = [
    "档号",
    "年度",
    "保管期限",
    "业务事项",
    "单位名称",
    "姓名",
    "身份证号",
    "题名",
    "日期",
    "页数",
    "备注",
]
TITLE_ROW, NOTE_ROW, HEADER_ROW = 1, 2, 3
DATA_START = 4  # the spreadsheet row of the first item in `catalogue_sheet`


def citizen_id(birth: str = "19800101", sequence: int = 1, area: str = "110105") -> str:
    """A valid 18-character citizen ID (GB 11643) for the birth date and sequence."""
    first17 = f"{area}{birth}{sequence:03d}"
    return first17 + citizen_id_check_char(first17)


def good_row(**values: Any) -> dict[str, Any]:
    """One item as the office typed it, valid throughout; keyword arguments replace cells by header."""
    number = values.pop("n", 1)
    row: dict[str, Any] = {
        "年度": 2008,
        "保管期限": "永久",
        "业务事项": "开户登记",
        "单位名称": "福州某某科技有限公司",
        "姓名": "张三",
        "身份证号": citizen_id(sequence=number),
        "题名": f"张三开户登记材料{number}",
        "日期": "2008.5.12",
        "页数": 3,
    }
    row.update(values)
    return row


@dataclass
class SheetSpec:
    name: str
    rows: list[list[Any]]
    merges: list[str] = field(default_factory=list)  # A1 ranges, e.g. "A1:K1"
    hidden: bool = False


def catalogue_sheet(
    name: str = "2008年",
    rows: Iterable[dict[str, Any]] = (),
    *,
    headers: Sequence[str] = HEADERS,
    title: str = "社会保险业务档案目录",
    footer: Sequence[Sequence[Any]] = (),
    merges: Sequence[str] = (),
    hidden: bool = False,
) -> SheetSpec:
    """A sheet with a merged title row, a note row, the header row and one row per item dict."""
    width = len(headers)
    body: list[list[Any]] = [[title], ["填报单位：区社会保险事业中心"], list(headers)]
    for values in rows:
        body.append([values.get(header) for header in headers])
    body.extend(list(row) for row in footer)
    last = get_column_letter(width)
    return SheetSpec(name, body, [f"A{TITLE_ROW}:{last}{TITLE_ROW}", *merges], hidden)


def column_of(header: str, headers: Sequence[str] = HEADERS) -> str:
    return get_column_letter(list(headers).index(header) + 1)


# --- .xlsx --------------------------------------------------------------------------------------------


def xlsx_bytes(sheets: Sequence[SheetSpec]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for spec in sheets:
        sheet = workbook.create_sheet(spec.name)
        for row in spec.rows:
            sheet.append(row)
        for merge in spec.merges:
            sheet.merge_cells(merge)
        if spec.hidden:
            sheet.sheet_state = "hidden"
    if not sheets:
        workbook.create_sheet("Sheet1")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_xlsx(path: Path, sheets: Sequence[SheetSpec]) -> Path:
    path.write_bytes(xlsx_bytes(sheets))
    return path


# --- .xls (BIFF8 in a compound file) ------------------------------------------------------------------

_END_OF_CHAIN, _FREE, _FAT_SECTOR, _NO_STREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
_SECTOR = 512
_MINI_CUTOFF = 4096
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_GENERAL_XF, _DATE_XF = 15, 16  # after the 15 style XFs Excel requires, a general and a date cell format


def compound_file(streams: Sequence[tuple[str, bytes]]) -> bytes:
    """An OLE2 compound file (version 3) holding the streams; each is padded past the mini-stream cutoff,
    so every stream lives in ordinary sectors and no mini FAT is needed."""
    padded = [(name, data.ljust(_MINI_CUTOFF, b"\0")) for name, data in streams]
    lengths = [-(-len(data) // _SECTOR) for _name, data in padded]
    directory_sectors = -(-(len(padded) + 1) // 4)
    fat_sectors = 1
    while fat_sectors * 128 < fat_sectors + directory_sectors + sum(lengths):
        fat_sectors += 1
    fat = [_FAT_SECTOR] * fat_sectors
    first_directory = len(fat)
    fat += [first_directory + i + 1 for i in range(directory_sectors - 1)] + [_END_OF_CHAIN]
    starts = []
    for length in lengths:
        starts.append(len(fat))
        fat += [len(fat) + i + 1 for i in range(length - 1)] + [_END_OF_CHAIN]
    fat += [_FREE] * (fat_sectors * 128 - len(fat))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    header += struct.pack(
        "<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, bytes(6), 0, fat_sectors, first_directory, 0,
        _MINI_CUTOFF, _END_OF_CHAIN, 0, _END_OF_CHAIN, 0,
    )  # fmt: skip
    header += struct.pack("<109I", *range(fat_sectors), *[_FREE] * (109 - fat_sectors))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0"
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBBIII", len(encoded), kind, 1, _NO_STREAM, right, child)
            + bytes(20)
            + bytes(16)
            + struct.pack("<IQ", start, size)
        )

    entries = [entry("Root Entry", 5, 1, _NO_STREAM, _END_OF_CHAIN, 0)]
    for index, ((name, data), start) in enumerate(zip(padded, starts, strict=True)):
        right = index + 2 if index + 1 < len(padded) else _NO_STREAM
        entries.append(entry(name, 2, _NO_STREAM, right, start, len(data)))
    directory = b"".join(entries).ljust(directory_sectors * _SECTOR, b"\0")
    body = struct.pack(f"<{len(fat)}I", *fat) + directory
    for _name, data in padded:
        body += data.ljust(-(-len(data) // _SECTOR) * _SECTOR, b"\0")
    return header + body


def _record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _unicode16(text: str) -> bytes:
    return struct.pack("<HB", len(text), 1) + text.encode("utf-16-le")


def _unicode8(text: str) -> bytes:
    return struct.pack("<BB", len(text), 1) + text.encode("utf-16-le")


def _bof(kind: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x06))


def _xf(number_format: int) -> bytes:
    return _record(0x00E0, struct.pack("<HHHBBBBIIH", 0, number_format, 0, 0x20, 0, 0, 0, 0, 0, 0x20C0))


def _cell_records(row: int, column: int, value: Any) -> bytes:
    if value is None or value == "":
        return b""
    if isinstance(value, bool):
        return _record(0x0205, struct.pack("<HHHBB", row, column, _GENERAL_XF, int(value), 0))
    if isinstance(value, datetime.date):
        serial = float((value - _EXCEL_EPOCH).days)
        return _record(0x0203, struct.pack("<HHHd", row, column, _DATE_XF, serial))
    if isinstance(value, int | float):
        return _record(0x0203, struct.pack("<HHHd", row, column, _GENERAL_XF, float(value)))
    return _record(0x0204, struct.pack("<HHH", row, column, _GENERAL_XF) + _unicode16(str(value)))


def _merge_ref(merge: str) -> tuple[int, int, int, int]:
    from openpyxl.utils.cell import range_boundaries

    min_col, min_row, max_col, max_row = range_boundaries(merge)
    return min_row - 1, max_row - 1, min_col - 1, max_col - 1


def xls_bytes(sheets: Sequence[SheetSpec], *, password: bool = False) -> bytes:
    """A legacy Excel 97-2003 workbook; with `password`, the FILEPASS record of an encrypted one."""
    streams = []
    for spec in sheets:
        width = max((len(row) for row in spec.rows), default=0)
        body = _bof(0x0010) + _record(0x0200, struct.pack("<IIHHH", 0, len(spec.rows), 0, width, 0))
        for r, row in enumerate(spec.rows):
            body += b"".join(_cell_records(r, c, value) for c, value in enumerate(row))
        if spec.merges:
            refs = [_merge_ref(merge) for merge in spec.merges]
            body += _record(
                0x00E5, struct.pack("<H", len(refs)) + b"".join(struct.pack("<HHHH", *r) for r in refs)
            )
        streams.append(body + _record(0x000A))

    def workbook_globals(offsets: Sequence[int]) -> bytes:
        head = _bof(0x0005)
        if password:
            head += _record(0x002F, struct.pack("<HHH", 1, 1, 1) + bytes(48))
        head += _record(0x0042, struct.pack("<H", 1200)) + _record(0x0022, struct.pack("<H", 0))
        font = _record(
            0x0031, struct.pack("<HHHHHBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0) + _unicode8("Arial")
        )
        head += font * 5 + _xf(0) * 15 + _xf(0) + _xf(14)
        for spec, offset in zip(sheets, offsets, strict=True):
            head += _record(0x0085, struct.pack("<IBB", offset, int(spec.hidden), 0) + _unicode8(spec.name))
        return head + _record(0x000A)

    offset = len(workbook_globals([0] * len(sheets)))
    offsets = []
    for stream in streams:
        offsets.append(offset)
        offset += len(stream)
    return compound_file([("Workbook", workbook_globals(offsets) + b"".join(streams))])


def encrypted_xlsx_bytes() -> bytes:
    """What Excel writes for a password-protected .xlsx: a compound file with the encrypted package in it."""
    return compound_file([("EncryptionInfo", b"\x04\x00\x04\x00\x40\x00\x00\x00" + bytes(200)),
                          ("EncryptedPackage", bytes(8) + random.Random(1).randbytes(6000))])  # fmt: skip


# --- A large generated catalogue for the benchmark ----------------------------------------------------

BENCH_HEADERS = [
    "序号", "档号", "年度", "保管期限", "业务事项", "单位编号", "单位名称", "姓名", "身份证号", "题名",
    "责任者", "日期", "页数", "密级", "备注",
]  # fmt: skip
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰海燕文斌"
_ITEMS = [
    ("开户登记", "永久"), ("变更注销", "Y"), ("个人账户变更", "100年"), ("个人信息变更", "定期100年"),
    ("养老转移", "D100"), ("职工基数申报", "30年"), ("企业月度增减", "定期30年"), ("企业补缴", "D100"),
    ("个人账户一次性支付", "100年"), ("参保人员退休审批", "永久"),
]  # fmt: skip
_RETENTION_CODE = {"永久": "Y", "Y": "Y", "100年": "D100", "定期100年": "D100", "D100": "D100",
                   "30年": "D30", "定期30年": "D30"}  # fmt: skip
_CATEGORY = {"开户登记": "GL", "变更注销": "GL", "个人账户变更": "GL", "个人信息变更": "GL", "养老转移": "GL",
             "职工基数申报": "ZJ", "企业月度增减": "ZJ", "企业补缴": "ZJ", "个人账户一次性支付": "DY",
             "参保人员退休审批": "DY"}  # fmt: skip


def _date_cell(rng: random.Random, day: datetime.date) -> Any:
    form = rng.randrange(6)
    if form == 0:
        return day
    if form == 1:
        return f"{day.year}.{day.month}.{day.day}"
    if form == 2:
        return f"{day.year}年{day.month}月{day.day}日"
    if form == 3:
        return int(day.strftime("%Y%m%d"))
    if form == 4:
        return day.isoformat()
    return f"{day.year}/{day.month}/{day.day}"


def bench_rows(count: int, *, seed: int = 2008, coded_share: float = 0.5) -> Iterator[list[Any]]:
    """Rows for BENCH_HEADERS: half with template archival codes, half without; one in a hundred faulty."""
    rng = random.Random(seed)
    numbers: dict[tuple[int, str, str], int] = {}
    for index in range(1, count + 1):
        year = rng.randint(1995, 2020)
        item, retention = rng.choice(_ITEMS)
        klass, code_retention = _CATEGORY[item], _RETENTION_CODE[retention]
        name = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.randint(1, 2)))
        birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(25_000))
        person_id = citizen_id(
            birth.strftime("%Y%m%d"),
            rng.randrange(1000),
            rng.choice(["350102", "350121", "110105", "310104"]),
        )
        day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
        code = ""
        if rng.random() < coded_share:
            group = (year, code_retention, klass)
            numbers[group] = numbers.get(group, 0) + 1
            code = f"Z001-ZY·{year}-{code_retention}-{klass}-{numbers[group]:04d}"
        pages: Any = rng.randint(1, 60)
        if index % 100 == 0:
            person_id = person_id[:17] + ("0" if person_id[17] != "0" else "1")  # a wrong check character
        elif index % 100 == 50:
            pages = "若干"
        employer_code = ""
        typed_id = person_id if index % 7 else person_id.replace("X", "x")
        yield [
            index, code, year, retention, item, employer_code, f"福州{name[0]}氏贸易有限公司",
            f" {name}\u3000", typed_id, f"{name}{item}材料", "", _date_cell(rng, day), pages, "内部", "",
        ]  # fmt: skip


def write_bench_workbook(path: Path, count: int, *, sheets: int = 4, seed: int = 2008) -> Path:
    """A generated catalogue of `count` rows spread over year sheets, written in openpyxl's streaming mode."""
    workbook = Workbook(write_only=True)
    rows = bench_rows(count, seed=seed)
    per_sheet = -(-count // sheets)
    for number in range(sheets):
        sheet = workbook.create_sheet(f"目录{number + 1}")
        title = WriteOnlyCell(sheet, "社会保险业务档案目录")
        sheet.append([title])
        sheet.merged_cells.add(f"A1:{get_column_letter(len(BENCH_HEADERS))}1")
        sheet.append(BENCH_HEADERS)
        for _ in range(min(per_sheet, count - number * per_sheet)):
            sheet.append(next(rows))
        sheet.append(["合计"])
    workbook.save(path)
    return path


# --- A real-looking messy catalogue, and the corrections its error workbook asks for --------------------

OTHER_HEADERS = [
    "档号",
    "年度",
    "期限",
    "业务事项",
    "参保单位",
    "姓名",
    "公民身份号码",
    "文件题名",
    "日期",
    "页码数",
    "附注",
]


def _full_width(text: str) -> str:
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


def messy_catalogue() -> list[SheetSpec]:
    """Two year sheets typed differently, a hidden draft, a notes sheet; six good rows and three faulty.

    Faulty: 2008年 row 7 (an ID stored as a number), row 9 (30 February), 2009年 row 5 (若干 pages).
    """
    employer = column_of("单位名称")
    sheet_2008 = catalogue_sheet(
        "2008年",
        [
            good_row(n=1, 档号="Z001-ZY·2008-Y-GL-0001", 身份证号=_full_width(citizen_id(sequence=1))),
            good_row(n=2, 姓名="李四", 身份证号=citizen_id("19750315", 2).lower(), 单位名称="福州闽江机械厂"),
            good_row(
                n=3,
                姓名="王五",
                身份证号=citizen_id("19700101", 3),
                单位名称=None,
                日期=datetime.date(2008, 3, 1),
            ),
            good_row(n=4, 姓名="赵六", 身份证号=110105198001010000, 单位名称=None),
            {},
            good_row(n=5, 日期="2008.2.30"),
            good_row(
                n=6,
                保管期限="定期100年",
                业务事项="个人账户变更",
                日期="2008年6月1日",
                题名="\u3000张三账户变更 ",
            ),
        ],
        footer=[
            ["合计", None, None, None, None, None, None, None, None, 18],
            ["注：本表由区社保中心档案室整理"],
        ],
        merges=[f"{employer}{DATA_START + 1}:{employer}{DATA_START + 3}"],
    )
    sheet_2009 = catalogue_sheet(
        "2009年",
        [
            {
                **good_row(n=7, 年度=2009, 页数="12页", 日期=39990),
                "公民身份号码": citizen_id(sequence=7),
                "文件题名": "孙七养老转移材料",
                "参保单位": "福州某某科技有限公司",
                "期限": "100年",
                "页码数": "12页",
                "业务事项": "养老转移",
            },
            {
                **good_row(n=8, 年度=2009),
                "公民身份号码": citizen_id(sequence=8),
                "文件题名": "周八开户登记材料",
                "参保单位": "福州某某科技有限公司",
                "期限": "永久",
                "页码数": "若干",
            },
            {
                **good_row(n=9, 年度=2009),
                "公民身份号码": "110105800101009",
                "文件题名": "吴九开户登记材料",
                "参保单位": "福州某某科技有限公司",
                "期限": "Y",
                "页码数": 2,
            },
        ],
        headers=OTHER_HEADERS,
    )
    return [
        sheet_2008,
        sheet_2009,
        catalogue_sheet("草稿", [good_row(n=99)], hidden=True),
        SheetSpec("填表说明", [["本目录按年度分表"], ["身份证号请设置为文本格式"]]),
    ]


# (sheet, cell, corrected value) for the three faulty rows of messy_catalogue
MESSY_FIXES = [
    ("2008年", f"{column_of('身份证号')}{DATA_START + 3}", citizen_id("19800101", 4)),
    ("2008年", f"{column_of('日期')}{DATA_START + 5}", "2008.2.28"),
    ("2009年", f"{column_of('页码数', OTHER_HEADERS)}{DATA_START + 1}", 4),
]
