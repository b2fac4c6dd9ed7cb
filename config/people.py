"""Who is signed in: Django's model back end, loading the person together with their roles.

The roles are facts from several apps (a site membership, an enabler's profile, an authenticator, unread
notifications), so the query that reads them sits here, at the top, where every app may be read; the person's
own app (`accounts`) only holds the `Roles` they fill in (settings.ROLES_QUERY points here).
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import Notification, User
from engagements.models import EnablerProfile
from sites.models import SiteMembership


def with_roles(pk: int | str) -> User | None:
    """The person with their `roles`, in one query of four index lookups. Written as SQL because it runs on
    every request: building the same query with the ORM's subquery expressions cost about 3 ms of Python
    each time, half of what Django spends on a whole trivial page (docs/benchmarks.md)."""
    sql = (
        # Table names from the models; the one value is a parameter (ruff S608, bandit B608).
        f"SELECT person.*,"  # noqa: S608  # nosec B608
        f" EXISTS (SELECT 1 FROM {SiteMembership._meta.db_table} m WHERE m.user_id = person.id)"
        " AS roles_site_member,"
        f" EXISTS (SELECT 1 FROM {EnablerProfile._meta.db_table} p WHERE p.user_id = person.id) AS roles_enabler,"
        f" (EXISTS (SELECT 1 FROM {TOTPDevice._meta.db_table} d WHERE d.user_id = person.id AND d.confirmed)"
        f" OR EXISTS (SELECT 1 FROM {WebAuthnCredential._meta.db_table} k WHERE k.user_id = person.id AND k.confirmed))"
        " AS roles_authenticator,"
        f" (SELECT COUNT(*) FROM {Notification._meta.db_table} n"
        " WHERE n.recipient_id = person.id AND n.address = '' AND n.read_at IS NULL) AS roles_unread"
        f" FROM {User._meta.db_table} person WHERE person.id = %s"
    )
    key = User._meta.pk.to_python(pk)
    return next(iter(User.objects.raw(sql, [key])), None)


class PersonBackend(ModelBackend):
    """Authenticates as ModelBackend does. On every request it loads the person with `roles` (site member,
    enabler, authenticator, unread notifications) in one query, which the header, the two-factor middleware and
    the library's gate read instead of asking again."""

    def get_user(self, user_id: int) -> User | None:
        user = with_roles(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class PasskeyBackend(PersonBackend):
    """Signing in with a passkey alone (django-otp-webauthn's passwordless sign-in): the passkey's own person, if
    their account is active, loaded with their roles as on every request."""

    def authenticate(  # type: ignore[override]
        self, request: object, webauthn_credential: WebAuthnCredential | None = None, **kwargs: object
    ) -> User | None:
        if webauthn_credential is None:
            return None
        user = webauthn_credential.user
        return user if self.user_can_authenticate(user) else None
