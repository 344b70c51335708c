"""`{{ value|utc_time }}`: a time as every panel page shows it, written once in `panel/tables.py`."""

from django import template

from imagesharing.panel.tables import utc_time

register = template.Library()
register.filter("utc_time", utc_time, expects_localtime=False)
