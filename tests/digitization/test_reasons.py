"""The pipeline's English reasons reach people in Chinese, numbers and all."""

import ast
from pathlib import Path

import pytest
from django.utils import translation

from digitization import reasons
from digitization.imaging import StitchRefused, stitch_pair
from digitization.imaging import reasons as R

from .synthetic_pages import make_page

IMAGING = Path(reasons.__file__).parent / "imaging"


def test_every_pipeline_reason_has_its_wording_and_nothing_else_does():
    templates = {value for name, value in vars(R).items() if name.isupper() and name != "REASON_SEPARATOR"}
    assert templates == set(reasons.MESSAGES)


def test_the_pipeline_raises_only_reasons_from_the_templates():
    # A sentence written straight into a raise would reach the operator in English.
    for path in IMAGING.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in (
                "ImageRejected",
                "StitchRefused",
            ):
                assert not isinstance(node.args[0], ast.Constant | ast.JoinedStr), (
                    f"{path.name}:{node.lineno}"
                )


@pytest.mark.parametrize(
    ("reason", "chinese"),
    [
        (
            R.TOO_MANY_PIXELS.format(width=20000, height=30000, limit=150000000),
            "图像为 20000×30000 像素，超过上限 150000000",
        ),
        (R.TOO_TILTED.format(angle=16.34, limit=15), "文字行倾斜 +16.3 度，超出 ±15 度：请手工纠偏"),
        (
            R.NOT_STITCHED.format(reason=R.OVERLAP_TOO_SMALL.format(overlap=9, needed=15)),
            "未拼接：两半仅重叠 9 毫米（至少需要 15 毫米）",
        ),
        (R.SCALE_DIFFERS.format(percent=2.54), "两半比例相差 2.5%：是否以不同分辨率扫描？"),
        # Several findings, one of which contains the separator itself.
        (
            R.REASON_SEPARATOR.join([R.NO_PAPER, R.SIDEWAYS]),
            "未找到纸张：图像几乎全黑；页面横置，无法判断哪边朝上",
        ),
        # A free-text field does not swallow the findings after it.
        (
            R.REASON_SEPARATOR.join(
                [R.PROCESSING_FAILED.format(detail="MemoryError: x"), R.MAYBE_UPSIDE_DOWN]
            ),
            "处理失败（MemoryError: x）；页面可能上下颠倒",
        ),
        ("scanner on fire; " + R.MAYBE_UPSIDE_DOWN, "scanner on fire；页面可能上下颠倒"),
        ("", ""),
    ],
)
def test_reasons_are_worded_in_chinese_with_their_numbers(reason, chinese):
    assert reasons.explain(reason) == chinese


def test_an_unknown_reason_is_shown_as_it_came_and_english_readers_get_english():
    assert reasons.explain("scanner on fire") == "scanner on fire"
    with translation.override("en"):
        assert reasons.explain(R.MAYBE_UPSIDE_DOWN) == "the page may be upside down"


def test_a_refused_stitch_speaks_chinese_end_to_end():
    blank = make_page(dpi=100, seed=3, text=False, seal=False, stains=False)[0]
    with pytest.raises(StitchRefused) as refused:
        stitch_pair(blank, blank.copy(), dpi=100)

    assert reasons.explain(R.NOT_STITCHED.format(reason=refused.value.reason)).startswith("未拼接：")
    assert not any(c.isascii() and c.isalpha() for c in reasons.explain(refused.value.reason))
