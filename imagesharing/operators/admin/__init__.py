"""The operators' admin, one module per area; Django's autodiscovery imports this package."""

from imagesharing.operators.admin import (
    data,
    history,
    images,
    lists,
    members,
    notices,
    policies,
    reports,
    servers,
    tenants,
)

__all__ = ["data", "history", "images", "lists", "members", "notices", "policies", "reports", "servers", "tenants"]
