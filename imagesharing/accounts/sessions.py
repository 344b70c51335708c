"""The session engine: Django's database sessions, each row also naming its person (R27's
"sign out everywhere" and the list of one's sessions), as Django documents for extending it."""

from django.contrib.sessions.backends.db import SessionStore as DatabaseStore

from imagesharing.accounts.models import PersonSession


class SessionStore(DatabaseStore):
    @classmethod
    def get_model_class(cls):
        return PersonSession

    def create_model_instance(self, data):
        row = super().create_model_instance(data)
        try:
            row.user_id = int(data["_auth_user_id"])
        except (KeyError, TypeError, ValueError):
            row.user_id = None  # not signed in (yet)
        return row
