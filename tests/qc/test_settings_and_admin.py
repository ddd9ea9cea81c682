"""Quality settings exist after migrate and are edited in the admin; evidence is read-only there."""

from decimal import Decimal

from django.urls import reverse

from qc import services
from qc.models import QualitySettings, Sample

from .factories import make_submitted_batch


def test_the_settings_exist_after_migrate_with_the_contracts_figures(db):
    office = QualitySettings.objects.get()
    assert (office.sample_rate, office.contract_cap, office.contract_pages) == (
        Decimal("5.00"),
        Decimal("450000.00"),
        737_000,
    )
    assert office.contract_start < office.contract_end


def _settings_form(**changes: str) -> dict[str, str]:
    office = QualitySettings.current()
    return {
        "sample_rate": str(office.sample_rate),
        "default_aql": office.default_aql,
        "unit_price": str(office.unit_price),
        "contract_cap": str(office.contract_cap),
        "contract_pages": str(office.contract_pages),
        "contract_start": office.contract_start.isoformat(),
        "contract_end": office.contract_end.isoformat(),
        **changes,
    }


def test_the_administrator_edits_the_settings_within_their_rules(admin_client):
    url = reverse("admin:qc_qualitysettings_change", args=[QualitySettings.current().pk])
    response = admin_client.post(url, _settings_form(sample_rate="4.50"))
    assert response.status_code == 200  # the form again, with the error
    assert QualitySettings.current().sample_rate == Decimal("5.00")
    response = admin_client.post(url, _settings_form(contract_end="2020-01-01"))
    assert response.status_code == 200
    response = admin_client.post(url, _settings_form(sample_rate="8", unit_price="0.5800"))
    assert response.status_code == 302
    office = QualitySettings.current()
    assert (office.sample_rate, office.unit_price) == (Decimal("8.00"), Decimal("0.5800"))


def test_samples_are_read_only_in_the_admin(admin_client, contractor, supervisor):
    sample = services.draw_sample(
        batch=make_submitted_batch(contractor=contractor), user=supervisor, mode=Sample.Mode.ITEM
    )
    url = reverse("admin:qc_sample_change", args=[sample.pk])
    assert admin_client.get(url).status_code == 200  # viewing is allowed
    assert admin_client.post(url, {"seed": "1"}).status_code == 403
    assert (
        admin_client.post(reverse("admin:qc_sample_delete", args=[sample.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert Sample.objects.get().seed == sample.seed
