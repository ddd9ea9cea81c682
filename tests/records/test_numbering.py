"""Archival codes by rule: gapless item numbers per group, enforced by the database, even under load."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from records import services
from records.models import Item, ItemNumberCounter
from tests.records.factories import make_item


def test_the_first_item_of_a_group_gets_number_0001_and_the_template_code(db):
    item = make_item(year=2008, business_item="开户登记")
    assert item.item_number == 1
    assert item.archival_code == "Z001-ZY·2008-Y-GL-0001"


def test_numbers_follow_on_within_a_group_and_restart_in_another(db):
    first, second = make_item(year=2008), make_item(year=2008)
    other_year = make_item(year=2009)
    assert (first.item_number, second.item_number, other_year.item_number) == (1, 2, 1)


def test_the_database_refuses_a_second_item_with_the_same_number(db):
    item = make_item()
    copy = Item.objects.get(pk=item.pk)
    copy.pk, copy.archival_code = None, "OTHER-CODE"
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


def test_a_legacy_code_is_kept_as_given_and_takes_no_number(db):
    item = make_item(legacy_code="1-2003-永久-12")
    assert item.archival_code == "1-2003-永久-12"
    assert item.item_number is None


def test_a_duplicate_legacy_code_is_refused_in_plain_chinese(db):
    make_item(legacy_code="1-2003-永久-12")
    with pytest.raises(services.CatalogueError, match="档号 1-2003-永久-12 已被使用"):
        make_item(legacy_code="1-2003-永久-12")


def test_deleting_the_last_item_gives_its_number_back(db):
    make_item()
    last = make_item()
    services.delete_item(item=last, user=None)
    assert make_item().item_number == 2


def test_deleting_an_item_in_the_middle_is_refused_so_no_gap_opens(db):
    middle = make_item()
    make_item()
    with pytest.raises(services.CatalogueError, match="不是该组最后一个件号"):
        services.delete_item(item=middle, user=None)
    assert Item.objects.filter(pk=middle.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_cataloguers_saving_at_once_never_share_or_skip_a_number():
    make_item()  # creates the group's counter row
    errors: list[BaseException] = []

    def catalogue_five() -> None:
        try:
            for _ in range(5):
                make_item()
        except BaseException as error:  # reported below; a thread must not die silently
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=catalogue_five) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Item.objects.values_list("item_number", flat=True))
    assert numbers == list(range(1, 22))
    assert ItemNumberCounter.objects.get().last_number == 21


def test_an_item_in_a_batch_cannot_be_deleted(contractor):
    from tests.digitization.factories import make_assembled_items, make_batch

    (item,) = make_assembled_items(count=1)
    make_batch(contractor=contractor, items=[item])
    with pytest.raises(services.CatalogueError, match="不能删除"):
        services.delete_item(item=item, user=None)
    assert Item.objects.filter(pk=item.pk).exists()
