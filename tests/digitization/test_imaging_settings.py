"""The office's imaging settings: edited by the administrator in the admin, within their rules."""

from django.urls import reverse

from digitization.models import ImagingSettings


def _form(**changes: str) -> dict[str, str]:
    return {"jpeg_quality": "85", "margin_mm": "2.5", "same_size_mm": "6.0", **changes}


def test_the_administrator_sets_jpeg_quality_and_margin_within_their_rules(admin_client):
    url = reverse("admin:digitization_imagingsettings_change", args=[ImagingSettings.current().pk])

    assert admin_client.post(url, _form(jpeg_quality="30")).status_code == 200  # the form again, with errors
    assert admin_client.post(url, _form(margin_mm="5")).status_code == 200
    assert ImagingSettings.current().jpeg_quality == 85
    assert admin_client.post(url, _form(jpeg_quality="92", margin_mm="3")).status_code == 302

    office = ImagingSettings.current()
    assert (office.jpeg_quality, office.margin_mm) == (92, 3.0)


def test_no_one_else_may_change_them(contractor_client, supervisor, archivist):
    from tests.conftest import signed_in

    url = reverse("admin:digitization_imagingsettings_change", args=[ImagingSettings.current().pk])
    for client in (contractor_client, signed_in(supervisor), signed_in(archivist)):
        assert client.post(url, _form(jpeg_quality="50")).status_code in (302, 403)
    assert ImagingSettings.current().jpeg_quality == 85
