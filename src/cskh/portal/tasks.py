"""Portal housekeeping as Django Tasks (run by ``cskh scheduler`` → ``cskh worker``)."""

from django.tasks import task


@task()
def purge_expired_codes() -> int:
    """One-time sign-in codes (hashed) more than a day past their expiry."""
    from cskh.portal.services import auth

    return auth.purge_expired()
