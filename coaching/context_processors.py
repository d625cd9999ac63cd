from django.conf import settings
from django.http import HttpRequest

from coaching import branding


def site(request: HttpRequest) -> dict[str, str]:
    return {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL}


def party_brand(request: HttpRequest) -> dict[str, branding.Brand | None]:
    """The practice's brand on a page reached by a party's link; None everywhere else."""
    return {"party_brand": branding.party_brand(request)}
