"""The Glance v2 image-sharing endpoints. Thin: parse, call the model methods, serialise.

Every image is reached through `Image.objects.get_usable` (R6) within the endpoint's
region, so an image the caller may not know about is 404 whatever is asked of it.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseBase

from imagesharing.api.bodies import JSON_PATCH, read_json, read_object
from imagesharing.api.dispatch import Call, endpoint, json_response, no_content
from imagesharing.api.errors import ApiError, bad_request
from imagesharing.api.listing import image_page
from imagesharing.api.properties import create_properties, patch_changes
from imagesharing.api.schemas import SCHEMAS
from imagesharing.api.serializers import image_json, member_json
from imagesharing.errors import DomainError, InvalidState, NotFound, NotShareable
from imagesharing.images.models import Image
from imagesharing.images.transfer import data_response, discard_rest, request_chunks
from imagesharing.memberships.members import ImageMember

# The versions this endpoint answers to: image sharing as Glance has served it since v2.5
# (visibility `shared`). Later versions add calls (import, stores) that are not served here.
VERSIONS = ("v2.5", "v2.4", "v2.3", "v2.2", "v2.1", "v2.0")


def _image(call: Call, image_id: str) -> Image:
    """The tenancy gate (R6), limited to the endpoint's region as a Glance endpoint is."""
    image = Image.objects.get_usable(call.account, image_id)
    if image.region_id != call.region.pk:
        raise NotFound()
    return image


def _member(call: Call, image: Image, member_id: str) -> ImageMember:
    """R7: the owner finds any member; a consumer only itself; others get 404."""
    return ImageMember.objects.get_visible(call.account, image, member_id)


def _versions_body(request: HttpRequest, call: Call) -> dict:
    href = request.build_absolute_uri(f"/api/{call.region.code.lower()}/v2/")
    return {
        "versions": [
            {
                "id": version,
                "status": "CURRENT" if index == 0 else "SUPPORTED",
                "links": [{"rel": "self", "href": href}],
            }
            for index, version in enumerate(VERSIONS)
        ]
    }


@endpoint("GET", authenticated=False)
def versions_root(request: HttpRequest, call: Call) -> HttpResponse:
    """The endpoint root: 300 Multiple Choices, as Glance; asked for before any token is sent."""
    return json_response(_versions_body(request, call), status=300)


@endpoint("GET", authenticated=False)
def versions(request: HttpRequest, call: Call) -> HttpResponse:
    """`/versions`: the same document with 200, which glanceclient expects there."""
    return json_response(_versions_body(request, call))


@endpoint("GET")
def schema(request: HttpRequest, call: Call, name: str) -> HttpResponse:
    if name not in SCHEMAS:
        raise NotFound(f"There is no schema {name!r}.")
    return json_response(SCHEMAS[name]())


@endpoint("GET", "POST")
def images(request: HttpRequest, call: Call) -> HttpResponse:
    if request.method == "POST":
        properties = create_properties(read_object(request), call.account.tenant_id)
        image = Image.objects.create_image(call.user, call.region, **properties)
        response = json_response(image_json(image), status=201)
        response["Location"] = request.build_absolute_uri(f"/api/{call.region.code.lower()}/v2/images/{image.pk}")
        return response
    return json_response(image_page(call.account, call.region, request.GET))


@endpoint("GET", "PATCH", "DELETE")
def image(request: HttpRequest, call: Call, image_id: str) -> HttpResponse:
    if request.method == "PATCH":
        changes = patch_changes(read_json(request, JSON_PATCH), call.account.tenant_id)
        found = _image(call, image_id)
        found.update(call.user, **changes)
        return json_response(image_json(found))
    found = _image(call, image_id)
    if request.method == "DELETE":
        found.destroy(call.user)
        return no_content()
    return json_response(image_json(found))


@endpoint("GET", "PUT")
def image_file(request: HttpRequest, call: Call, image_id: str) -> HttpResponseBase:
    """Image data, streamed both ways: PUT uploads once to a queued image, GET downloads (R6).

    The Content-Length, when sent, is the declared size: a body cut short kills the image.
    Clients such as glanceclient send no length but a chunked body.
    """
    found = _image(call, image_id)
    if request.method == "PUT":
        if request.content_type != "application/octet-stream":
            raise ApiError(415, "Image data must be sent as application/octet-stream.")
        length = request.META.get("CONTENT_LENGTH")
        declared = int(length) if length and length.isdigit() else None
        try:
            found.receive_data(call.user, request_chunks(request), declared_size=declared)
        except DomainError:
            discard_rest(request)  # so that the client reads the answer, not a reset connection
            raise
        return no_content()
    try:
        opened = found.open_data(call.user)
    except InvalidState:
        return no_content()  # as Glance: an image without data answers 204
    return data_response(request, found, opened, attachment=False)


@endpoint("GET", "POST")
def members(request: HttpRequest, call: Call, image_id: str) -> HttpResponse:
    if request.method == "POST":
        body = read_object(request)
        if "member" not in body:
            raise bad_request("Member to be added not specified.")
        if not body["member"]:
            raise bad_request("Member can't be empty.")
        member = Image.objects.add_member(call.user, call.region, image_id, body["member"])
        return json_response(member_json(member))
    found = ImageMember.objects.visible_to(call.account, _image(call, image_id))
    return json_response({"members": [member_json(m) for m in found], "schema": "/v2/schemas/members"})


@endpoint("GET", "PUT", "DELETE")
def member(request: HttpRequest, call: Call, image_id: str, member_id: str) -> HttpResponse:
    if request.method == "PUT":
        body = read_object(request)
        if "status" not in body:
            raise bad_request("Status not specified.")
        answered = ImageMember.objects.answer_by_ids(call.user, call.region, image_id, member_id, body["status"])
        return json_response(member_json(answered))
    if request.method == "DELETE":
        _member(call, _image(call, image_id), member_id).remove(call.user)
        return no_content()
    try:
        return json_response(member_json(_member(call, _image(call, image_id), member_id)))
    except NotShareable:
        raise NotFound("No such member.") from None  # as Glance: showing a member never answers 403
