"""Import in Chromium (issue 5): describe the image, pick a file, upload it with a progress bar
(htmx upload progress), or without JavaScript as a plain form post; land on the active image."""

import hashlib
import re

import pytest
from playwright.sync_api import Page, expect

from imagesharing.choices import Status
from imagesharing.images.models import Image
from tests.browser.test_sharing_flow import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

MIB = 1024 * 1024

# Kept in sessionStorage, which outlives the full page load that follows the upload.
RECORD_PROGRESS = """() => {
  sessionStorage.setItem("progress", "[]");
  document.addEventListener("htmx:xhr:progress", () => {
    const bar = document.querySelector("#upload-progress");
    const seen = JSON.parse(sessionStorage.getItem("progress"));
    seen.push({value: bar.value, visible: bar.checkVisibility(),
               text: document.querySelector(".upload-progress-text").textContent});
    sessionStorage.setItem("progress", JSON.stringify(seen));
  });
}"""


@pytest.fixture
def disk_file(tmp_path):
    """A few MiB of generated data, written where the browser can pick it."""
    block = hashlib.sha512(b"browser upload").digest()
    data = block * (6 * MIB // len(block)) + b"tail"
    path = tmp_path / "debian-12.raw"
    path.write_bytes(data)
    return path, data


def slow_uploads(page: Page) -> None:
    """Send at about 4 MiB/s, so that the upload takes a moment, as over a real network."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 4 * MIB},
    )


def import_step_one(page: Page, base: str) -> Image:
    page.goto(f"{base}/images/")
    page.get_by_role("link", name="Import an image").click()
    expect(page.get_by_role("heading", name="Import an image into DFW")).to_be_visible()
    page.get_by_label("Name").fill("debian-12")
    page.get_by_label("Disk format").select_option("raw")
    page.get_by_label("Container format").select_option("bare")
    page.get_by_label("Minimum disk (GB)").fill("4")
    page.get_by_label("Minimum RAM (MB)").fill("1024")
    page.get_by_role("button", name="Create and continue").click()
    expect(page.locator("#messages")).to_contain_text("Created “debian-12” in DFW. Step 2 of 2")
    image = Image.objects.get(name="debian-12")
    assert page.url == f"{base}/images/{image.pk}/#upload"
    assert (image.status, image.disk_format, image.min_disk, image.min_ram) == (Status.QUEUED, "raw", 4, 1024)
    return image


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_import_and_upload_with_a_progress_bar(live_server, browser, producer, disk_file, javascript):
    path, data = disk_file
    page = browser.new_context(java_script_enabled=javascript).new_page()
    sign_in(page, live_server.url, "producer")

    image = import_step_one(page, live_server.url)

    card = page.locator("#upload")
    expect(card.get_by_role("heading")).to_have_text("Step 2 of 2: upload the image's data")
    expect(page.locator("#upload-progress")).to_be_hidden()
    if javascript:
        page.evaluate(RECORD_PROGRESS)
        slow_uploads(page)
    card.get_by_label("Image file (raw)").set_input_files(path)
    card.get_by_role("button", name="Upload").click()
    if javascript:  # while the data is on its way
        expect(page.locator("#upload-progress")).to_be_visible()
        expect(card.get_by_role("button", name="Upload")).to_be_disabled()

    md5 = hashlib.md5(data).hexdigest()
    success = f"Uploaded {len(data):,} bytes; “debian-12” is active. MD5 {md5}."
    expect(page.locator("#messages")).to_contain_text(success)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"debian-12\s+active"))
    expect(page.get_by_role("link", name=re.compile("^Download image data"))).to_be_visible()
    expect(page.locator("#upload")).to_have_count(0)
    assert page.url == f"{live_server.url}/images/{image.pk}/"
    image.refresh_from_db()
    assert (image.status, image.size, image.checksum) == (Status.ACTIVE, len(data), md5)
    assert image.os_hash_value == hashlib.sha512(data).hexdigest()

    if javascript:
        seen = page.evaluate("JSON.parse(sessionStorage.getItem('progress'))")
        assert seen, "no upload progress event reached the page"
        assert all(event["visible"] for event in seen)
        values = [event["value"] for event in seen]
        assert values == sorted(values) and values[-1] == 100
        assert any(0 < value < 100 for value in values), values  # it moved on the way, not only at the end
        assert seen[-1]["text"] == "100 %: checking and storing…"


def test_without_javascript_an_oversize_upload_lands_on_the_killed_image_with_the_reason(
    live_server, browser, producer, disk_file, settings, media
):
    settings.IMAGE_SIZE_CAP = MIB
    path, _ = disk_file
    page = browser.new_context(java_script_enabled=False).new_page()
    sign_in(page, live_server.url, "producer")
    image = import_step_one(page, live_server.url)
    expect(page.locator("#upload")).to_contain_text("up to 1.0\xa0MB")

    page.locator("#upload").get_by_label("Image file (raw)").set_input_files(path)
    page.locator("#upload").get_by_role("button", name="Upload").click()

    reason = "The image data is larger than the 1.0 MiB you may store now."
    expect(page.locator("#messages")).to_have_text(reason)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"debian-12\s+killed"))
    expect(page.locator(".callout-warning")).to_contain_text(f"This import failed: {reason} It holds no data.")
    expect(page.locator("#upload")).to_have_count(0)
    image.refresh_from_db()
    assert (image.status, image.status_reason, image.size) == (Status.KILLED, reason, None)
    assert not any(stored.is_file() for stored in media.rglob("*"))


def test_with_javascript_an_oversize_file_is_refused_before_it_is_sent(
    live_server, browser, producer, disk_file, settings, media
):
    settings.IMAGE_SIZE_CAP = MIB
    path, _ = disk_file
    page = browser.new_context().new_page()
    sign_in(page, live_server.url, "producer")
    image = import_step_one(page, live_server.url)
    sent = []
    page.on("request", lambda request: sent.append(request.url) if "/upload/" in request.url else None)

    page.locator("#upload").get_by_label("Image file (raw)").set_input_files(path)
    page.locator("#upload").get_by_role("button", name="Upload").click()

    expect(page.locator("#messages")).to_have_text(
        "debian-12.raw is larger than the 1.0\xa0MB you may store now; nothing was uploaded."
    )
    expect(page.locator("#upload").get_by_role("button", name="Upload")).to_be_enabled()
    assert sent == []
    image.refresh_from_db()
    assert image.status == Status.QUEUED  # still waiting for a file that fits
    assert not any(stored.is_file() for stored in media.rglob("*"))
