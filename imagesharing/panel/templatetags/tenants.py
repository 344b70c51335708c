"""`{{ tenant|named:names }}`: another tenant as the viewer may see it (R21), written once in `panel/tables.py`."""

from django import template
from django.utils.safestring import SafeString

from imagesharing.accounts.models import Account
from imagesharing.panel.tables import TenantNames

register = template.Library()


@register.filter
def named(tenant: Account, names: TenantNames) -> SafeString:
    return names(tenant)
