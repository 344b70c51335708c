"""The region switcher: only the tenant's regions (R8), kept in the session."""

from tests import factories
from tests.panel.conftest import messages_of, text_of


def test_the_first_region_is_the_default(as_owner, owner, lon, dfw):
    owner.account.regions.add(lon)
    assert "Images in DFW" in text_of(as_owner.get("/images/"))


def test_it_switches_to_another_of_the_tenants_regions(as_owner, owner, lon):
    owner.account.regions.add(lon)
    factories.image(owner, lon, name="london-only")
    response = as_owner.post("/region/", {"region": "LON", "next": "/images/"})
    assert response.status_code == 302 and response["Location"] == "/images/"
    assert messages_of(response) == ["Now working in LON (LON)."]
    page = text_of(as_owner.get("/images/"))
    assert "Images in LON" in page and "london-only" in page


def test_it_refuses_a_region_the_tenant_is_not_enabled_in(as_owner, lon):
    response = as_owner.post("/region/", {"region": "LON"})
    assert messages_of(response) == ["Your tenant is not enabled in that region."]
    assert "Images in DFW" in text_of(as_owner.get("/images/"))


def test_it_refuses_a_made_up_region(as_owner):
    response = as_owner.post("/region/", {"region": "<script>"})
    assert response.status_code == 302
    assert "Images in DFW" in text_of(as_owner.get("/images/"))


def test_it_ignores_an_outside_next(as_owner):
    response = as_owner.post("/region/", {"region": "DFW", "next": "https://evil.example/"})
    assert response["Location"] == "/images/"


def test_switching_is_a_post(as_owner):
    assert as_owner.get("/region/").status_code == 405


def test_a_region_the_tenant_lost_falls_back_to_its_first(as_owner, owner, lon):
    owner.account.regions.add(lon)
    as_owner.post("/region/", {"region": "LON"})
    owner.account.regions.remove(lon)
    assert "Images in DFW" in text_of(as_owner.get("/images/"))


def test_a_tenant_without_regions_is_told_so(owner, as_owner):
    owner.account.regions.clear()
    for path in ("/images/", "/servers/", "/usage/"):
        response = as_owner.get(path)
        assert response.status_code == 200
        assert "not enabled in any region" in text_of(response)
