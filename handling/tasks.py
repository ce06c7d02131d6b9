from __future__ import annotations

from django_tasks import task

from handling import services


@task()
def close_expired_matters() -> dict[str, int]:
    """Close matters whose review window expired unused, and record ratings that expired unrated."""
    return {"closed": services.close_expired(), "ratings_expired": services.expire_ratings()}


PERIODIC = [(close_expired_matters, 3600)]
