"""The four JSON schema documents glanceclient fetches to build and validate its models.

Shaped like Glance's (`/v2/schemas/image` and friends) but listing only what this
API serves, so that a client refuses, before sending, a value we would refuse too
(for example visibility `community`).
"""

from imagesharing.choices import CONTAINER_FORMATS, DISK_FORMATS, NAME_MAX_LENGTH, MemberStatus, Status, Visibility

UUID_PATTERN = "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$"


def _nullable(kind: str, description: str, **extra) -> dict:
    return {"type": ["null", kind], "description": description, **extra}


def _read_only(kind, description: str, **extra) -> dict:
    return {"type": kind, "description": description, "readOnly": True, **extra}


def image_schema() -> dict:
    properties = {
        "id": {"type": "string", "description": "An identifier for the image", "pattern": UUID_PATTERN},
        "name": _nullable("string", "Descriptive name for the image", maxLength=NAME_MAX_LENGTH),
        "status": _read_only("string", "Status of the image", enum=Status.values),
        "visibility": {
            "type": "string",
            "description": "Scope of image accessibility",
            "enum": Visibility.values,
        },
        "protected": {"type": "boolean", "description": "If true, image will not be deletable."},
        "os_hidden": {
            "type": "boolean",
            "description": "If true, image will not appear in default image list response.",
        },
        "owner": _nullable("string", "Owner of the image (a tenant ID)", maxLength=255),
        "disk_format": _nullable("string", "Format of the disk", enum=[None, *DISK_FORMATS]),
        "container_format": _nullable("string", "Format of the container", enum=[None, *CONTAINER_FORMATS]),
        "size": _read_only(["null", "integer"], "Size of image file in bytes"),
        "virtual_size": _read_only(["null", "integer"], "Virtual size of image in bytes"),
        "checksum": _read_only(["null", "string"], "md5 hash of image contents.", maxLength=32),
        "os_hash_algo": _read_only(["null", "string"], "Algorithm to calculate the os_hash_value", maxLength=64),
        "os_hash_value": _read_only(
            ["null", "string"],
            "Hexdigest of the image contents using the algorithm specified by the os_hash_algo",
            maxLength=128,
        ),
        "min_disk": {"type": "integer", "description": "Amount of disk space (in GB) required to boot image."},
        "min_ram": {"type": "integer", "description": "Amount of ram (in MB) required to boot image."},
        "created_at": _read_only("string", "Date and time of image registration"),
        "updated_at": _read_only("string", "Date and time of the last image modification"),
        "tags": {
            "type": "array",
            "description": "List of strings related to the image",
            "items": {"type": "string", "maxLength": 255},
        },
        "self": _read_only("string", "An image self url"),
        "file": _read_only("string", "An image file url"),
        "schema": _read_only("string", "An image schema url"),
    }
    return {
        "name": "image",
        "properties": properties,
        "additionalProperties": {"type": "string"},
        "links": [
            {"rel": "self", "href": "{self}"},
            {"rel": "enclosure", "href": "{file}"},
            {"rel": "describedby", "href": "{schema}"},
        ],
    }


def images_schema() -> dict:
    return {
        "name": "images",
        "properties": {
            "images": {"type": "array", "items": image_schema()},
            "schema": {"type": "string"},
            "first": {"type": "string"},
            "next": {"type": "string"},
        },
        "links": [
            {"rel": "first", "href": "{first}"},
            {"rel": "next", "href": "{next}"},
            {"rel": "describedby", "href": "{schema}"},
        ],
    }


def member_schema() -> dict:
    return {
        "name": "member",
        "properties": {
            "member_id": {"type": "string", "description": "An identifier for the image member (tenantId)"},
            "image_id": {"type": "string", "description": "An identifier for the image", "pattern": UUID_PATTERN},
            "status": {
                "type": "string",
                "description": "The status of this image member",
                "enum": MemberStatus.values,
            },
            "created_at": {"type": "string", "description": "Date and time of image member creation"},
            "updated_at": {"type": "string", "description": "Date and time of last modification of image member"},
            "schema": {"type": "string", "readOnly": True},
        },
    }


def members_schema() -> dict:
    return {
        "name": "members",
        "properties": {
            "members": {"type": "array", "items": member_schema()},
            "schema": {"type": "string"},
        },
        "links": [{"rel": "describedby", "href": "{schema}"}],
    }


SCHEMAS = {
    "image": image_schema,
    "images": images_schema,
    "member": member_schema,
    "members": members_schema,
}
