"""Background work: the daily move of registrations past their validity to 已到期 (also `shegong registration
expire`, for cron)."""

from shegong.core.tasks import task
from shegong.registration import services


@task("registration.expire")
def expire_registrations() -> int:
    return services.registrations_expire()
