import pytest

from records import services
from records.models import CatalogueIssue, CatalogueSettings, Placement
from tests.records.factories import make_item


def _assemble(item):
    return services.assemble_volumes(
        fonds=item.fonds,
        category_code=item.category_code,
        year=item.year,
        retention=item.retention,
        business_category=item.business_category,
    )


def _ranges(volume):
    return [
        (p.item.item_number, p.first_page, p.last_page, p.part_label)
        for p in volume.placements.order_by("first_page")
    ]


def test_items_fill_volumes_of_at_most_four_centimetres(db):
    items = [make_item(page_count=150) for _ in range(3)]
    volumes = _assemble(items[0])
    assert [v.number for v in volumes] == [1, 2]
    assert _ranges(volumes[0]) == [(1, 1, 150, ""), (2, 151, 300, "")]
    assert _ranges(volumes[1]) == [(3, 1, 150, "")]
    assert [v.page_count for v in volumes] == [300, 150]


def test_an_item_thicker_than_a_volume_spans_several_numbered_one_of_three(db):
    CatalogueSettings.objects.update(sheets_per_cm=100, max_volume_cm=4)
    thick = make_item(page_count=900)
    after = make_item(page_count=50)
    volumes = _assemble(thick)
    assert [_ranges(v) for v in volumes] == [
        [(1, 1, 400, "1/3")],
        [(1, 1, 400, "2/3")],
        [(1, 1, 100, "3/3"), (2, 101, 150, "")],
    ]
    assert after.placements.get().volume == volumes[2]


def test_assembling_again_adds_only_new_items_in_new_volumes(db):
    first = make_item(page_count=10)
    _assemble(first)
    make_item(page_count=10)
    volumes = _assemble(first)
    assert [v.number for v in volumes] == [2]
    assert Placement.objects.count() == 2


def test_the_whole_catalogue_check_finds_a_page_range_gap(db):
    items = [make_item(page_count=10) for _ in range(2)]
    volume = _assemble(items[0])[0]
    Placement.objects.filter(item=items[1]).update(first_page=12, last_page=21)
    services.recheck_catalogue()
    issue = CatalogueIssue.objects.get(rule=CatalogueIssue.Rule.PAGE_RANGE)
    assert issue.item == items[1]
    assert volume.placements.count() == 2


def test_the_whole_catalogue_check_finds_one_citizen_id_under_two_names(db):
    make_item(persons=[("张伟", "11010519491231002X")])
    other = make_item(persons=[("张玮", "11010519491231002X")])
    counts = services.recheck_catalogue()
    assert counts[CatalogueIssue.Rule.PERSON_NAMES] == 2
    assert "张伟 / 张玮" in other.issues.get(rule=CatalogueIssue.Rule.PERSON_NAMES).message


def test_the_whole_catalogue_check_finds_a_gap_in_item_numbers(db):
    make_item()
    later = make_item()
    type(later).objects.filter(pk=later.pk).update(item_number=3)
    services.recheck_catalogue()
    assert CatalogueIssue.objects.get(rule=CatalogueIssue.Rule.ITEM_NUMBER_GAP).item == later


def test_a_clean_catalogue_has_no_findings(db):
    item = make_item(page_count=20, persons=[("李娜", "11010519491231002X")])
    _assemble(item)
    assert sum(services.recheck_catalogue().values()) == 0
    assert not CatalogueIssue.objects.exists()


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("张伟养老保险关系转移申请表", None),
        ("[张伟退休审批材料]", None),
        (" 张伟申请表", "title"),
        ("张伟[申请表", "title"),
    ],
)
def test_titles_are_checked_on_save(db, title, expected):
    item = make_item(title=title)
    assert list(item.issues.values_list("rule", flat=True)) == ([expected] if expected else [])
