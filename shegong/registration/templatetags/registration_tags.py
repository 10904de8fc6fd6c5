from django import template

register = template.Library()

STATE_TONES = {
    "pending": "warning",
    "first_approved": "info",
    "first_rejected": "danger",
    "final_approved": "primary",
    "final_rejected": "danger",
    "registered": "success",
    "expired": "secondary",
    "superseded": "light",
}


@register.inclusion_tag("registration/_state_badge.html")
def state_badge(registration) -> dict:
    return {"tone": STATE_TONES.get(registration.state, "secondary"), "label": registration.get_state_display()}


@register.filter
def hours(value) -> str:
    """Hours as people write them: 72, 40.5."""
    if value is None or value == "":
        return "—"
    return format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)


@register.filter
def moment(value) -> str:
    """A timeline moment: a datetime to the minute in local time, a date as a date."""
    import datetime

    from django.utils import timezone

    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return ""
