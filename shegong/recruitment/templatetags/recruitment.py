from django import template

register = template.Library()


@register.filter
def code_label(table: dict, code: str) -> str:
    """The label of a reference-data code ({code: label}); the code itself if the list no longer has it."""
    if not code:
        return ""
    return table.get(code, code)
