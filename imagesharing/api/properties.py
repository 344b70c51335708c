"""Turning Glance's image create bodies and JSON patches into keyword arguments for the model.

Only the shape is checked here (which attribute, which operation); whether a value
is acceptable, and who may change what, is for `Image.objects.create_image` and
`Image.update` to say.
"""

from typing import Any

from imagesharing.api.errors import ApiError, bad_request, forbidden

# What the model stores and lets the owner set.
WRITABLE = ("name", "visibility", "protected", "min_disk", "min_ram", "disk_format", "container_format")
# Attributes Glance computes itself, and ones it keeps for its own use.
READ_ONLY = (
    "id",
    "status",
    "created_at",
    "updated_at",
    "size",
    "virtual_size",
    "checksum",
    "os_hash_algo",
    "os_hash_value",
    "direct_url",
    "locations",
    "stores",
    "self",
    "file",
    "schema",
)
RESERVED = ("location", "deleted", "deleted_at")
# Base attributes with a fixed value here; a request may repeat that value but not change it.
FIXED = ("owner", "os_hidden", "tags")
PATCH_OPERATIONS = ("add", "replace", "remove")


def _check_settable(key: str) -> None:
    if key in READ_ONLY:
        raise forbidden(f"Attribute '{key}' is read-only.")
    if key in RESERVED:
        raise forbidden(f"Attribute '{key}' is reserved.")


def _check_fixed(key: str, value: Any, tenant_id: int) -> None:
    if key == "owner":
        if value != str(tenant_id):
            raise forbidden("An image is owned by the tenant that creates it; the owner cannot be set.")
    elif key == "os_hidden":
        if not isinstance(value, bool):
            raise bad_request("os_hidden must be true or false.")
        if value:
            raise forbidden("Hidden images are not supported.")
    elif key == "tags":
        if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
            raise bad_request("tags must be a list of strings.")
        if value:
            raise bad_request("Image tags are not supported.")


def _clean_value(key: str, value: Any) -> Any:
    # Glance takes null for "no name"; the model keeps that as an empty name.
    return "" if key == "name" and value is None else value


def create_properties(body: dict, tenant_id: int) -> dict:
    """Model keyword arguments for a POST /v2/images body.

    Custom properties (any other key with a string value) are accepted and not
    stored: openstacksdk sends its `owner_specified.*` checksums with every image.
    """
    properties = {}
    for key, value in body.items():
        _check_settable(key)
        if key in FIXED:
            _check_fixed(key, value, tenant_id)
        elif key in WRITABLE:
            if key in ("disk_format", "container_format") and value is None:
                continue  # null means "not set yet", the model's default
            properties[key] = _clean_value(key, value)
        elif not isinstance(value, str):
            raise bad_request(f"Custom property '{key}' must be a string.")
    return properties


def _patch_key(operation: dict) -> str:
    path = operation.get("path")
    if not isinstance(path, str) or not path.startswith("/") or len(path) < 2:
        raise bad_request('Each operation needs a path such as "/name".')
    if "/" in path[1:]:
        raise bad_request(f"Path {path} is not an image attribute; nested paths are not allowed.")
    return path[1:].replace("~1", "/").replace("~0", "~")


def patch_changes(operations: Any, tenant_id: int) -> dict:
    """Model keyword arguments for a JSON patch (application/openstack-images-v2.1-json-patch).

    `add` and `replace` both set a base attribute, as in Glance; later operations
    on the same attribute win.
    """
    if not isinstance(operations, list):
        raise bad_request("A JSON patch is a list of operations.")
    changes = {}
    for operation in operations:
        if not isinstance(operation, dict) or operation.get("op") not in PATCH_OPERATIONS:
            raise bad_request("Each operation must be an object whose op is add, replace or remove.")
        op = operation["op"]
        key = _patch_key(operation)
        _check_settable(key)
        base = key in WRITABLE or key in FIXED
        if op == "remove":
            if base:
                raise forbidden(f"Property '{key}' may not be removed.")
            raise ApiError(409, f"Property '{key}' does not exist.")
        if "value" not in operation:
            raise bad_request(f'Operation "{op}" requires a member named "value".')
        value = operation["value"]
        if key in FIXED:
            _check_fixed(key, value, tenant_id)
        elif key in WRITABLE:
            changes[key] = _clean_value(key, value)
        else:
            raise forbidden("Custom image properties are not supported.")
    return changes
