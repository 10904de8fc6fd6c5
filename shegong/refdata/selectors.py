"""Reading dictionaries. Later apps use `choices()` in forms (or the form fields of forms.py), `item()`/`label()` to
show a stored code, and never hard-code the lists."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from shegong.refdata.models import Dictionary, DictionaryItem

VIEW = "refdata.view_dictionary"
CHANGE = "refdata.change_dictionary"


def items(dictionary_code: str, active_only: bool = True) -> QuerySet[DictionaryItem]:
    """The items of a dictionary in their display order (an unknown dictionary gives no items)."""
    rows = DictionaryItem.objects.filter(dictionary__code=dictionary_code)
    if active_only:
        rows = rows.filter(is_active=True)
    return rows.order_by("sort_order", "code")


def choices(dictionary_code: str, active_only: bool = True) -> list[tuple[str, str]]:
    """(code, name) pairs for a form's choices."""
    return list(items(dictionary_code, active_only).values_list("code", "name"))


def item(dictionary_code: str, item_code: str) -> DictionaryItem:
    """One item, active or retired (records may hold a retired code). Raises DictionaryItem.DoesNotExist."""
    return DictionaryItem.objects.select_related("dictionary").get(dictionary__code=dictionary_code, code=item_code)


def label(dictionary_code: str, item_code: str) -> str:
    """The name to show for a stored code; the code itself if it is unknown (never an error on a display)."""
    name = (
        DictionaryItem.objects.filter(dictionary__code=dictionary_code, code=item_code)
        .values_list("name", flat=True)
        .first()
    )
    return name if name is not None else item_code


def labels(dictionary_code: str) -> dict[str, str]:
    """Every code's name, retired ones included: one query for a list page that shows many stored codes."""
    return dict(items(dictionary_code, active_only=False).values_list("code", "name"))


def dictionary_list() -> QuerySet[Dictionary]:
    return Dictionary.objects.annotate(
        item_count=Count("items"), active_count=Count("items", filter=Q(items__is_active=True))
    ).order_by("code")


def get_dictionary_or_404(code: str) -> Dictionary:
    dictionary = Dictionary.objects.filter(code=code).first()
    if dictionary is None:
        raise Http404
    return dictionary


def get_item_or_404(dictionary: Dictionary, code: str) -> DictionaryItem:
    found = DictionaryItem.objects.filter(dictionary=dictionary, code=code).first()
    if found is None:
        raise Http404
    return found
