"""GET /v2/images: Glance's query parameters, keyset paging by marker, `first` and `next` links."""

from urllib.parse import urlencode

from django.http import QueryDict

from imagesharing.accounts.models import Account, Region
from imagesharing.api.errors import bad_request
from imagesharing.api.serializers import image_json
from imagesharing.errors import NotFound
from imagesharing.images.models import Image

DEFAULT_LIMIT = 25  # Glance's limit_param_default
MAX_LIMIT = 1000  # Glance's api_limit_max
FILTERS = ("visibility", "member_status", "owner", "name", "status")
PARAMETERS = (*FILTERS, "limit", "marker", "sort_key", "sort_dir", "sort", "os_hidden")


def _single(query: QueryDict) -> dict[str, str]:
    """One value per parameter; an unknown or repeated one is refused rather than silently ignored."""
    params = {}
    for key, values in query.lists():
        if key not in PARAMETERS:
            raise bad_request(f"Unsupported query parameter {key!r}; use one of {', '.join(PARAMETERS)}.")
        if len(values) > 1:
            raise bad_request(f"Give {key} at most once.")
        params[key] = values[0]
    return params


def _limit(value: str | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    digits = value.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()):
        raise bad_request("limit must be an integer.")
    digits = digits.lstrip("0") or "0"
    if value.startswith("-") and digits != "0":
        raise bad_request("limit must not be negative.")
    # Past the cap is the cap; comparing lengths first spares converting a huge string.
    return MAX_LIMIT if len(digits) > len(str(MAX_LIMIT)) else min(int(digits), MAX_LIMIT)


def _sort(params: dict[str, str]) -> tuple[str, str]:
    """`sort_key`/`sort_dir`, or Glance's newer `sort=key:dir`; one key, checked by the model."""
    if "sort" in params:
        if "sort_key" in params or "sort_dir" in params:
            raise bad_request("Use either sort or sort_key and sort_dir, not both.")
        key, _, direction = params["sort"].partition(":")
        return key, direction or "desc"
    return params.get("sort_key", "created_at"), params.get("sort_dir", "desc")


def _hidden(value: str | None) -> bool:
    """Nothing is hidden here: os_hidden=true matches no image, false (Glance's default) all."""
    if value is None or value.lower() == "false":
        return False
    if value.lower() == "true":
        return True
    raise bad_request("os_hidden must be true or false.")


def image_page(account: Account, region: Region, query: QueryDict) -> dict:
    """One page of the caller's list in the region (R5 and filters), with Glance's links."""
    params = _single(query)
    limit = _limit(params.get("limit"))
    key, direction = _sort(params)
    images = Image.objects.listed_for(
        account, region, **{name: params[name] for name in FILTERS if name in params}
    ).sorted_by(key, direction)
    if "marker" in params:
        try:
            marker = Image.objects.get_usable(account, params["marker"])
        except NotFound:
            raise bad_request(f"Marker {params['marker']} is not an image in this list.") from None
        images = images.after(marker, key, direction)
    rows = (
        []
        if limit == 0 or _hidden(params.get("os_hidden"))
        else list(images.select_related("owner").first_for(account, limit + 1))
    )
    page = rows[:limit]
    links = {k: v for k, v in params.items() if k != "marker"}
    body = {
        "images": [image_json(image) for image in page],
        "first": "/v2/images" + (f"?{urlencode(links)}" if links else ""),
        "schema": "/v2/schemas/images",
    }
    if len(rows) > limit:
        body["next"] = "/v2/images?" + urlencode({**links, "marker": str(page[-1].pk)})
    return body
