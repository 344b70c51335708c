"""`{{ value|utc_time }}`: a time as every panel table shows it, in one place.

Cut from one ISO 8601 string rather than three `date` filters in an include: Django's
date formats and the include per cell made the times most of a long table's rendering.
"""

from datetime import UTC, datetime

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter(expects_localtime=False)
def utc_time(value: datetime | None) -> SafeString | str:
    """Minutes to read, seconds on hover, ISO 8601 for machines, all in UTC as the label says;
    nothing for no time."""
    if value is None:
        return ""
    stamp = value.astimezone(UTC).isoformat()  # 2026-01-02T03:04:05.678901+00:00
    day, clock = stamp[:10], stamp[11:19]
    return mark_safe(f'<time datetime="{stamp}" title="{day} {clock} UTC">{day} {clock[:5]} UTC</time>')  # digits only
