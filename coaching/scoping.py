"""The one way a view takes an object named in its URL: scoped to the signed-in coach.

Another coach's object, or one that does not exist, is the same 404: nothing tells
a coach that someone else's client exists.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404

from coaching.models import User


def get_owned_or_404[M: models.Model](
    source: type[M] | models.QuerySet[M], coach: User, **lookups: object
) -> M:
    queryset = source._default_manager.all() if isinstance(source, type) else source
    try:
        return queryset.filter(coach=coach).get(**lookups)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404("No such record in your practice.") from None
