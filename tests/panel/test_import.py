"""Import in the panel (issue 5): describe the image (step 1), then upload its data (step 2).

The owner alone uploads, once, to a queued image; a failed or interrupted upload
kills the image with the reason and keeps no data; every refusal changes nothing.
"""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from imagesharing.choices import Status
from imagesharing.images.data import UPLOAD_INTERRUPTED
from imagesharing.images.models import UPLOAD_ONCE, Image
from imagesharing.images.transfer import FORM_NEVER_ENDS
from tests import factories
from tests.panel.conftest import HTMX, messages_of, text_of

KIB = 1024
DATA = hashlib.sha512(b"import").digest() * 2 * KIB  # 128 KiB that do not repeat in short runs
BOUNDARY = "----imagesharing-test-boundary"


def files_in(media) -> list[str]:
    """Every file under the media folder (stored data and upload spools alike)."""
    return sorted(str(path.relative_to(media)) for path in media.rglob("*") if path.is_file())


def describe(client, **fields):
    values = {
        "name": "imported",
        "disk_format": "qcow2",
        "container_format": "ovf",
        "min_disk": "10",
        "min_ram": "512",
        **fields,
    }
    return client.post("/images/import/", {key: value for key, value in values.items() if value is not None})


def upload(client, image, data: bytes = DATA, **extra):
    return client.post(f"/images/{image.pk}/upload/", {"file": SimpleUploadedFile("disk.qcow2", data)}, **extra)


def multipart(data: bytes, *, closed: bool = True) -> bytes:
    """A form body with one file field, as a browser sends it; without its closing boundary if not `closed`."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="disk.qcow2"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return head + data + (f"\r\n--{BOUNDARY}--\r\n".encode() if closed else b"")


@pytest.fixture
def queued(owner, dfw):
    return Image.objects.create_image(owner, dfw, name="fresh", disk_format="qcow2", container_format="bare")


def unchanged(image) -> bool:
    """Still queued, with no data, no hashes and no reason."""
    image.refresh_from_db()
    return (image.status, image.size, image.checksum, image.file.name, image.status_reason) == (
        Status.QUEUED,
        None,
        "",
        "",
        "",
    )


# Step 1: describe the image.


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/images/import/"),
        ("post", "/images/import/"),
        ("post", "/images/00000000-0000-0000-0000-000000000001/upload/"),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(method, path):
    response = getattr(Client(), method)(path)
    assert response.status_code == 302
    # A post comes back to the page it was sent from (here none: the overview), never to its own URL.
    assert response["Location"] == (f"/login/?next={path}" if method == "get" else "/login/?next=/")
    assert not Image.objects.exists()


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_import_is_a_get_or_a_post(as_owner, method):
    assert getattr(as_owner, method)("/images/import/").status_code == 405
    assert not Image.objects.exists()


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_upload_is_a_post(as_owner, queued, method):
    assert getattr(as_owner, method)(f"/images/{queued.pk}/upload/").status_code == 405
    assert unchanged(queued)


def test_an_operator_without_a_tenant_is_pointed_to_the_admin(as_operator, queued):
    assert as_operator.get("/images/import/").status_code == 403
    assert describe(as_operator).status_code == 403
    assert upload(as_operator, queued).status_code == 403
    assert Image.objects.count() == 1 and unchanged(queued)


def test_the_images_page_links_to_the_import_page(as_owner):
    assert '<a class="button" href="/images/import/">Import an image</a>' in text_of(as_owner.get("/images/"))


def test_the_import_page_offers_every_format_with_labels(as_owner):
    response = as_owner.get("/images/import/")
    page = text_of(response)
    assert response.status_code == 200
    assert "Import an image into DFW" in page and "Step 1 of 2" in page
    for label in ("Name", "Disk format", "Container format", "Minimum disk (GB)", "Minimum RAM (MB)"):
        assert f">{label}</label>" in page
    for value in (
        "raw",
        "qcow2",
        "vhd",
        "vhdx",
        "vmdk",
        "vdi",
        "iso",
        "ami",
        "ari",
        "aki",
        "ploop",
        "bare",
        "ovf",
        "ova",
        "docker",
        "compressed",
    ):
        assert f'<option value="{value}"' in page
    assert '<option value="qcow2" selected>' in page and '<option value="bare" selected>' in page


def test_a_tenant_with_no_region_is_told_so_and_creates_nothing(as_owner, owner):
    owner.account.regions.clear()
    assert "not enabled in any region" in text_of(as_owner.get("/images/import/"))
    response = describe(as_owner)
    assert response.status_code == 200
    assert "not enabled in any region" in text_of(response)
    assert not Image.objects.exists()


def test_import_creates_a_queued_image_and_leads_to_its_upload_card(as_owner, owner, dfw):
    response = describe(as_owner, name="  debian-12  ")

    image = Image.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/images/{image.pk}/#upload"
    assert messages_of(response) == ["Created “debian-12” in DFW. Step 2 of 2: upload its data."]
    assert (image.owner, image.region, image.status, image.visibility) == (owner.account, dfw, "queued", "private")
    assert (image.name, image.disk_format, image.container_format, image.min_disk, image.min_ram) == (
        "debian-12",
        "qcow2",
        "ovf",
        10,
        512,
    )
    assert image.size is None and not image.file

    page = text_of(as_owner.get(f"/images/{image.pk}/"))
    assert 'id="upload"' in page and "Step 2 of 2: upload the image's data" in page
    assert f'action="/images/{image.pk}/upload/" enctype="multipart/form-data"' in page
    assert f'hx-post="/images/{image.pk}/upload/"' in page
    assert '<input type="file" id="upload-file" name="file" required>' in page
    assert "up to 1.0\xa0TB" in page  # the size cap; no quota is set
    assert '<progress id="upload-progress" max="100" value="0"' in page


def test_import_goes_to_the_current_region(as_owner, owner, lon):
    owner.account.regions.add(lon)
    as_owner.post("/region/", {"region": "LON"})
    assert "Import an image into LON" in text_of(as_owner.get("/images/import/"))

    describe(as_owner)

    assert Image.objects.get().region == lon


@pytest.mark.parametrize(
    "fields, error",
    [
        ({"name": None}, "This field is required."),
        ({"name": "   "}, "This field is required."),
        ({"name": "x" * 256}, "Ensure this value has at most 255 characters (it has 256)."),
        ({"disk_format": "ntfs"}, "Select a valid choice. ntfs is not one of the available choices."),
        ({"container_format": "zip"}, "Select a valid choice. zip is not one of the available choices."),
        ({"min_disk": "-1"}, "Ensure this value is greater than or equal to 0."),
        ({"min_ram": str(2**31)}, "Ensure this value is less than or equal to 2147483647."),
        ({"min_disk": "9" * 40}, "Ensure this value is less than or equal to 2147483647."),
        ({"min_ram": "1.5"}, "Enter a whole number."),
    ],
)
def test_bad_input_shows_the_field_error_and_creates_nothing(as_owner, fields, error):
    response = describe(as_owner, **fields)
    page = text_of(response)
    assert response.status_code == 200
    assert f'<p class="field-error" id="id_{next(iter(fields))}_error">{error}</p>' in page
    assert "field-invalid" in page
    assert not Image.objects.exists()


# Step 2: upload the data.


def test_the_owner_uploads_the_data(as_owner, queued, media):
    response = upload(as_owner, queued)

    assert response.status_code == 302 and response["Location"] == f"/images/{queued.pk}/"
    md5 = hashlib.md5(DATA).hexdigest()
    assert messages_of(response) == [f"Uploaded 131,072 bytes; “fresh” is active. MD5 {md5}."]
    queued.refresh_from_db()
    assert (queued.status, queued.size, queued.checksum, queued.os_hash_algo, queued.os_hash_value) == (
        Status.ACTIVE,
        len(DATA),
        md5,
        "sha512",
        hashlib.sha512(DATA).hexdigest(),
    )
    assert queued.status_reason == ""
    assert files_in(media) == [f"images/{queued.pk}"]  # stored once; the spool was moved, not copied
    assert (media / "images" / str(queued.pk)).read_bytes() == DATA

    page = text_of(as_owner.get(f"/images/{queued.pk}/"))
    assert f"Uploaded 131,072 bytes; “fresh” is active. MD5 {md5}." in page
    assert 'id="upload"' not in page and "This import failed" not in page
    assert f'<code class="small">{md5}</code>' in page and "(131072 bytes)" in page


def test_the_export_card_downloads_the_uploaded_bytes(as_owner, queued):
    upload(as_owner, queued)

    assert f'href="/images/{queued.pk}/download/"' in text_of(as_owner.get(f"/images/{queued.pk}/"))
    response = as_owner.get(f"/images/{queued.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == DATA
    assert response["Content-Length"] == str(len(DATA))
    assert response["Content-MD5"] == hashlib.md5(DATA).hexdigest()
    assert response["Content-Disposition"] == 'attachment; filename="fresh.qcow2"'


def test_an_empty_file_is_an_image_of_zero_bytes(as_owner, queued):
    upload(as_owner, queued, b"")
    queued.refresh_from_db()
    assert (queued.status, queued.size, queued.checksum) == (Status.ACTIVE, 0, hashlib.md5(b"").hexdigest())


@pytest.mark.parametrize("status", ["pending", "accepted", "rejected"])
def test_a_member_cannot_upload_and_sees_no_upload_card(as_consumer, owner, consumer, queued, media, status):
    factories.member(owner, queued, consumer, status)
    assert 'id="upload"' not in text_of(as_consumer.get(f"/images/{queued.pk}/"))

    response = upload(as_consumer, queued)

    assert response.status_code == 302 and response["Location"] == f"/images/{queued.pk}/"
    assert messages_of(response) == ["Only the owner of this image can do that."]
    assert unchanged(queued)
    assert files_in(media) == []


@pytest.mark.parametrize("who", ["as_stranger", "as_abroad"])
def test_a_stranger_gets_not_found_and_changes_nothing(request, who, queued, media):
    response = upload(request.getfixturevalue(who), queued)
    assert response.status_code == 404
    assert unchanged(queued)
    assert files_in(media) == []


def test_a_missing_image_is_not_found(as_owner):
    assert upload(as_owner, Image(pk="6f1c1f05-1e4a-4c4d-9d4e-2a7d3a1b0c9e")).status_code == 404


def test_data_goes_to_a_queued_image_only_once(as_owner, queued, media):
    upload(as_owner, queued)
    as_owner.get(f"/images/{queued.pk}/")  # shows, and so clears, the success message
    queued.refresh_from_db()
    before = (queued.size, queued.checksum, queued.os_hash_value, queued.updated_at)

    response = upload(as_owner, queued, b"something else")

    assert response.status_code == 302
    assert messages_of(response) == [UPLOAD_ONCE]
    queued.refresh_from_db()
    assert (queued.status, queued.size, queued.checksum, queued.os_hash_value, queued.updated_at) == (
        Status.ACTIVE,
        *before,
    )
    assert files_in(media) == [f"images/{queued.pk}"]
    assert (media / "images" / str(queued.pk)).read_bytes() == DATA


def test_a_killed_image_takes_no_data(as_owner, queued, media):
    queued.kill("An earlier upload failed.")
    response = upload(as_owner, queued)
    assert messages_of(response) == [UPLOAD_ONCE]
    queued.refresh_from_db()
    assert (queued.status, queued.status_reason, queued.size) == (Status.KILLED, "An earlier upload failed.", None)
    assert files_in(media) == []


@pytest.mark.parametrize("data", [{}, {"file": ""}], ids=["no field", "empty field"])
def test_no_file_says_so_and_the_image_stays_queued(as_owner, queued, media, data):
    response = as_owner.post(f"/images/{queued.pk}/upload/", data)
    assert response.status_code == 302 and response["Location"] == f"/images/{queued.pk}/"
    assert messages_of(response) == ["Choose the image file to upload."]
    assert unchanged(queued)
    assert files_in(media) == []


def test_a_file_input_left_empty_says_so(as_owner, queued):
    """What a browser sends when no file was chosen: a file part with an empty file name."""
    body = multipart(b"").replace(b'filename="disk.qcow2"', b'filename=""')
    response = as_owner.generic(
        "POST", f"/images/{queued.pk}/upload/", body, content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )
    assert messages_of(response) == ["Choose the image file to upload."]
    assert unchanged(queued)


def test_an_oversize_upload_kills_the_image_and_stores_nothing(as_owner, queued, media, settings):
    settings.IMAGE_SIZE_CAP = 64 * KIB
    assert "up to 64.0\xa0KB" in text_of(as_owner.get(f"/images/{queued.pk}/"))

    response = upload(as_owner, queued)

    reason = "The image data is larger than the 64.0 KiB you may store now."
    assert response.status_code == 302 and response["Location"] == f"/images/{queued.pk}/"
    assert messages_of(response) == [reason]
    queued.refresh_from_db()
    assert (queued.status, queued.status_reason, queued.size, queued.checksum) == (Status.KILLED, reason, None, "")
    assert not queued.file
    assert files_in(media) == []
    page = text_of(as_owner.get(f"/images/{queued.pk}/"))
    assert f"<strong>This import failed:</strong> {reason}" in page and "It holds no data." in page


def test_an_upload_of_exactly_the_cap_is_accepted(as_owner, queued, settings):
    settings.IMAGE_SIZE_CAP = len(DATA)
    upload(as_owner, queued)
    queued.refresh_from_db()
    assert (queued.status, queued.size) == (Status.ACTIVE, len(DATA))


@pytest.mark.parametrize("quota_kib, status", [(227, Status.KILLED), (228, Status.ACTIVE)])
def test_the_tenant_storage_quota_limits_the_upload(
    as_owner, owner, consumer, dfw, queued, media, settings, quota_kib, status
):
    settings.TENANT_STORAGE_QUOTA = quota_kib * KIB
    factories.image(owner, dfw, size=100 * KIB)
    factories.image(owner, dfw, size=1 * KIB, active=False).destroy(owner)  # R14: deleted images cost nothing
    offered = factories.image(consumer, dfw, size=900 * KIB, visibility="shared")
    factories.member(consumer, offered, owner, "accepted")  # R14: shared with it, charged to its owner
    left = quota_kib - 100  # 128 KiB are sent: one KiB too many, then just enough
    assert f"up to {left}.0\xa0KB" in text_of(as_owner.get(f"/images/{queued.pk}/"))

    response = upload(as_owner, queued)

    queued.refresh_from_db()
    assert queued.status == status
    if status == Status.KILLED:
        reason = f"The image data is larger than the {left}.0 KiB you may store now."
        assert messages_of(response) == [reason] and queued.status_reason == reason
        assert files_in(media) == []
    else:
        assert files_in(media) == [f"images/{queued.pk}"]


def test_a_used_up_quota_refuses_any_data(as_owner, owner, dfw, queued, media, settings):
    settings.TENANT_STORAGE_QUOTA = 100 * KIB
    factories.image(owner, dfw, size=100 * KIB)
    assert "up to 0\xa0bytes" in text_of(as_owner.get(f"/images/{queued.pk}/"))
    response = upload(as_owner, queued, b"x")
    assert messages_of(response) == ["The image data is larger than the 0 bytes you may store now."]
    assert files_in(media) == []


def test_without_a_csrf_token_the_upload_is_refused_and_changes_nothing(owner, queued, media):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = upload(client, queued)

    assert response.status_code == 403
    assert unchanged(queued)
    assert files_in(media) == []


def test_with_the_pages_csrf_token_the_upload_passes(owner, queued):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    token = client.get(f"/images/{queued.pk}/").context["csrf_token"]

    response = client.post(
        f"/images/{queued.pk}/upload/", {"csrfmiddlewaretoken": token, "file": SimpleUploadedFile("disk.qcow2", DATA)}
    )

    assert response.status_code == 302
    queued.refresh_from_db()
    assert queued.status == Status.ACTIVE


def test_an_htmx_upload_answers_with_a_redirect_for_htmx(as_owner, queued):
    response = upload(as_owner, queued, headers=HTMX)

    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/images/{queued.pk}/"
    queued.refresh_from_db()
    assert queued.status == Status.ACTIVE
    assert "Uploaded 131,072 bytes; “fresh” is active." in text_of(as_owner.get(f"/images/{queued.pk}/"))


def test_an_htmx_refusal_also_redirects_with_the_message(as_owner, queued, settings):
    settings.IMAGE_SIZE_CAP = KIB
    response = upload(as_owner, queued, headers=HTMX)
    assert response["HX-Redirect"] == f"/images/{queued.pk}/"
    assert "larger than the 1.0 KiB" in text_of(as_owner.get(f"/images/{queued.pk}/"))


def test_an_upload_cut_short_kills_the_image_and_stores_nothing(as_owner, queued, media):
    """The browser went away mid-upload: the body ends before its Content-Length and Django's
    parser ends it without completing the file (`upload_interrupted`), so nothing is stored."""
    sent = multipart(DATA)[: 64 * KIB]
    response = as_owner.generic(
        "POST",
        f"/images/{queued.pk}/upload/",
        sent,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(len(multipart(DATA))),
        **{"wsgi.input": io.BytesIO(sent)},
    )

    assert response.status_code == 302
    assert messages_of(response) == [UPLOAD_INTERRUPTED]
    queued.refresh_from_db()
    assert (queued.status, queued.status_reason, queued.size) == (Status.KILLED, UPLOAD_INTERRUPTED, None)
    assert not queued.file
    assert files_in(media) == []


LONG_BOUNDARY = "b" * 5000
MALFORMED_FORMS = {
    # Whole bodies whose file part never ends: refused with a message, nothing was uploaded.
    "without its closing boundary": (BOUNDARY, multipart(DATA, closed=False)),
    "a boundary that is not the header's": ("another-boundary", multipart(DATA)),
    # Bodies Django's parser refuses: its 400 page.
    "a 5,000-character boundary": (LONG_BOUNDARY, multipart(DATA).replace(BOUNDARY.encode(), LONG_BOUNDARY.encode())),
    "no boundary at all": ("", multipart(DATA)),
    "base64 data cut mid-quantum": (
        BOUNDARY,
        multipart(b"QUJD" * 40000 + b"QQ").replace(
            b"Content-Type: application/octet-stream", b"Content-Transfer-Encoding: base64"
        ),
    ),
    "part headers that never end": (BOUNDARY, multipart(DATA).replace(b"\r\n\r\n", b"\r\n", 1)),
}


@pytest.mark.parametrize("case", MALFORMED_FORMS)
def test_a_malformed_form_is_refused_and_the_image_stays_queued(as_owner, queued, media, case):
    """Issue 9, item 7: a malformed multipart body used to kill the queued image ("interrupted").
    It is the sender's mistake, not a failed upload: the image keeps waiting, nothing is spooled."""
    boundary, body = MALFORMED_FORMS[case]
    content_type = f"multipart/form-data; boundary={boundary}" if boundary else "multipart/form-data"

    response = as_owner.generic("POST", f"/images/{queued.pk}/upload/", body, content_type=content_type)

    if response.status_code == 302:
        assert response["Location"] == f"/images/{queued.pk}/"
        assert messages_of(response) == [FORM_NEVER_ENDS]
    else:
        assert response.status_code == 400
        page = text_of(response)
        assert "The request could not be read" in page and "nothing was changed" in page
    assert unchanged(queued)
    assert files_in(media) == []


def test_a_whole_hand_made_body_is_accepted(as_owner, queued):
    """The control for the test above: the same body, complete, makes the image active."""
    response = as_owner.generic(
        "POST",
        f"/images/{queued.pk}/upload/",
        multipart(DATA),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert response.status_code == 302
    queued.refresh_from_db()
    assert (queued.status, queued.checksum) == (Status.ACTIVE, hashlib.md5(DATA).hexdigest())


def test_the_killed_callout_is_for_the_owner_only(as_owner, as_consumer, owner, consumer, queued):
    factories.member(owner, queued, consumer, "accepted")
    queued.kill("The upload was interrupted before all the data arrived.")

    page = text_of(as_owner.get(f"/images/{queued.pk}/"))
    assert "<strong>This import failed:</strong> The upload was interrupted before all the data arrived." in page
    assert f'<a href="/images/{queued.pk}/delete/">Delete it</a>' in page
    assert '<a href="/images/import/">import again</a>' in page
    assert 'id="upload"' not in page and "Download image data" not in page

    page = text_of(as_consumer.get(f"/images/{queued.pk}/"))
    assert "This import failed" not in page and "killed" in page


def test_a_killed_image_without_a_reason_still_says_it_failed(as_owner, queued):
    queued.kill("")
    page = text_of(as_owner.get(f"/images/{queued.pk}/"))
    assert "<strong>This import failed:</strong> the upload did not complete." in page


@pytest.mark.parametrize("refusal", ["a member", "an active image", "over the cap", "over the quota"])
def test_a_refused_upload_is_read_to_its_end_so_the_browser_gets_the_answer(
    refusal, owner, consumer, dfw, queued, media, settings
):
    """A server that closes the connection with request data unread (gunicorn does) resets it,
    and the browser shows a network error instead of the message: the refusal reads the body
    to its end first, and drops it."""
    sender = owner
    if refusal == "a member":
        factories.member(owner, queued, consumer, "accepted")
        sender = consumer
    elif refusal == "an active image":
        queued.receive_data(owner, [b"already here"])
    elif refusal == "over the cap":
        settings.IMAGE_SIZE_CAP = 64 * KIB
    else:
        settings.TENANT_STORAGE_QUOTA = 164 * KIB
        factories.image(owner, dfw, size=100 * KIB)
    client = Client()
    client.force_login(sender)
    body = multipart(DATA * 24)  # 3 MiB: more than one chunk, more than a socket buffer
    stream = io.BytesIO(body)

    response = client.generic(
        "POST",
        f"/images/{queued.pk}/upload/",
        body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        **{"wsgi.input": stream},
    )

    assert response.status_code == 302 and len(messages_of(response)) == 1
    assert stream.tell() == len(body)
    assert files_in(media) == ([f"images/{queued.pk}"] if refusal == "an active image" else [])
