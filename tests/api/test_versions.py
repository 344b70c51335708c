"""The version document at each region's root, asked for before any token is sent, and URL routing."""

import pytest

from tests.api.conftest import Api, error_of


def test_root_answers_multiple_choices_without_a_token(anonymous, dfw):
    response = anonymous.get("/")
    assert response.status_code == 300
    assert response["Content-Type"] == "application/json"
    versions = response.json()["versions"]
    assert [(v["id"], v["status"]) for v in versions][:2] == [("v2.5", "CURRENT"), ("v2.4", "SUPPORTED")]
    assert {v["links"][0]["href"] for v in versions} == {"http://testserver/api/dfw/v2/"}


def test_root_without_trailing_slash_is_the_same_document(dfw):
    response = Api(None, root="/api/dfw").get("")
    assert response.status_code == 300
    assert response.json()["versions"][0]["id"] == "v2.5"


def test_versions_answers_ok(anonymous, dfw):
    response = anonymous.get("/versions")
    assert response.status_code == 200
    assert response.json()["versions"][-1] == {
        "id": "v2.0",
        "status": "SUPPORTED",
        "links": [{"rel": "self", "href": "http://testserver/api/dfw/v2/"}],
    }


def test_each_region_is_its_own_endpoint(lon):
    response = Api(None, root="/api/lon").get("/versions")
    assert response.json()["versions"][0]["links"][0]["href"] == "http://testserver/api/lon/v2/"


@pytest.mark.parametrize("root", ["/api/xyz", "/api/DFW", "/api/dfw%00"])
def test_unknown_region_is_a_json_404(dfw, owner, api_as, root):
    assert error_of(Api(None, root=root).get("/"))[0] == 404
    assert error_of(api_as(owner, root=root).get("/v2/images")) == (
        404,
        f"There is no region {root.removeprefix('/api/').replace('%00', chr(0))!r}; "
        "endpoints are /api/<region code in lower case>/.",
    )


def test_versions_refuse_other_methods(anonymous, dfw):
    response = anonymous.post("/versions", {})
    assert error_of(response)[0] == 405
    assert response["Allow"] == "GET"


@pytest.mark.parametrize(
    "path",
    [
        "/v1/images",
        "/v2/images/{id}/members/1/extra",
        "/v2/images/",
        "/v2/tasks",
    ],
)
def test_other_paths_are_json_404(api_as, owner, image, path):
    response = api_as(owner).get(path.format(id=image.pk))
    assert error_of(response) == (404, "The resource could not be found.")


def test_api_root_itself_is_json_404(db):
    assert error_of(Api(None, root="/api").get("/"))[0] == 404


def test_every_answer_carries_a_request_id(anonymous, dfw):
    assert anonymous.get("/")["X-OpenStack-Request-ID"].startswith("req-")
    assert anonymous.get("/v2/images")["X-OpenStack-Request-ID"].startswith("req-")
