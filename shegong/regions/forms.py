"""The region picker: a form field returning a Region, and its widget of cascading selects
(省 → 市 → 区县 → 街道/乡镇 → 社区/村), each level loaded on demand by regions/static/regions/region-picker.js.

    class StationForm(forms.Form):
        region = RegionField(label=_("所在街道/乡镇"), min_level=4, max_level=4)

    form = StationForm(data, ...)
    form.fields["region"].within = selectors.picker_within(request.user)   # a scoped user picks inside their area

Templates render `{{ form.media }}` once to include the script. Without JavaScript the form still works one level per
submit: the server re-renders the chain with the next level's choices filled in.

Each select posts as `<name>_<level>`; the deepest value that continues the chosen path is the field's value (a stale
deeper value left from another branch is ignored). A city without a county level (东莞市, 中山市, 儋州市) shows a
one-choice "不设此级" county select that repeats the city's code, so the chain stays unbroken.
"""

from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shegong.regions import selectors
from shegong.regions.codes import InvalidCode, canonical, is_code, level_from_zeros, prefix
from shegong.regions.models import Region

LEVEL_PROMPTS = {
    1: _("省"),
    2: _("市"),
    3: _("区县"),
    4: _("街道/乡镇"),
    5: _("社区/村"),
}


def _roots(within) -> list[Region] | None:
    """Normalise `within` (None, a Region, a code, or several) to a list of regions; unknown codes are dropped."""
    if within is None:
        return None
    items = [within] if isinstance(within, Region | str | int) else list(within)
    regions = [item for item in items if isinstance(item, Region)]
    codes = [canonical(item) for item in items if not isinstance(item, Region)]
    if codes:
        regions += list(Region.objects.filter(code__in=codes))
    return regions


class RegionPickerWidget(forms.Widget):
    template_name = "regions/widgets/region_picker.html"

    class Media:
        js = ("regions/region-picker.js",)

    def __init__(self, attrs=None, *, min_level: int = 1, max_level: int = 5, within: list[Region] | None = None):
        super().__init__(attrs)
        self.min_level = min_level
        self.max_level = max_level
        self.within = within

    def value_from_datadict(self, data, files, name):
        if name in data:  # a single code posted directly (scripts, tests)
            return data.get(name)
        chosen = ""
        for level in range(1, self.max_level + 1):
            value = (data.get(f"{name}_{level}") or "").strip()
            if not value:
                break
            if not is_code(value):
                return value  # let the field say it is invalid
            value = canonical(value)
            if chosen and not value.startswith(prefix(chosen, level_from_zeros(chosen))):
                break  # left over from another branch (changed without JavaScript)
            chosen = value
        return chosen

    def value_omitted_from_data(self, data, files, name):
        return name not in data and not any(f"{name}_{level}" in data for level in range(1, self.max_level + 1))

    def id_for_label(self, id_):
        return f"{id_}_1" if id_ else id_

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        region = value if isinstance(value, Region) else None
        if region is None and value and is_code(str(value)):
            region = Region.objects.filter(code=canonical(value)).first()
        within = self.within
        if region is not None:
            chain = [*selectors.ancestors(region), region]
        elif within is not None:
            # What every allowed area lies under is already decided; so is a single area the user must go below.
            chain = selectors.common_ancestors(within)
            if len(within) == 1 and within[0].level < self.min_level:
                chain.append(within[0])
        else:
            chain = []
        choices = selectors.picker_choices(chain, within)
        base_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        css = context["widget"]["attrs"].get("class", "form-select")
        chosen = {node.level: node for node in chain}
        levels = []
        parent = None  # the region chosen above the current level
        level = 1
        while level <= self.max_level:
            options = choices.get(parent.code if parent else None, [])
            if options and options[0].level > level:
                # Levels the data skips (no county under 东莞市) get a one-choice select repeating the parent's code.
                for skipped in range(level, min(options[0].level, self.max_level + 1)):
                    levels.append(self._select(name, base_id, css, skipped, [], parent.code, skipped=True))
                level = options[0].level
                if level > self.max_level:
                    break
            selected = chosen.get(level)
            if selected is not None and selected.parent_id != (parent.code if parent else None):
                selected = None
            levels.append(
                self._select(
                    name, base_id, css, level, options, selected.code if selected else "", disabled=not options
                )
            )
            if selected is None:
                for rest in range(level + 1, self.max_level + 1):
                    levels.append(self._select(name, base_id, css, rest, [], "", disabled=True))
                break
            parent = selected
            level += 1
        context["widget"].update(
            {
                "levels": levels,
                "options_url": reverse("regions:picker_options"),
                "within": ",".join(root.short_code for root in within) if within is not None else "",
                "limited": within is not None,
                "max_level": self.max_level,
                "base_id": base_id,
            }
        )
        return context

    @staticmethod
    def _select(name, base_id, css, level, options, selected, *, skipped=False, disabled=False) -> dict:
        return {
            "level": level,
            "name": f"{name}_{level}",
            "id": f"{base_id}_{level}",
            "prompt": LEVEL_PROMPTS[level],
            "options": [(option.code, option.name) for option in options],
            "selected": selected,
            "skipped": skipped,
            "disabled": disabled,
            "css": css,
        }


class RegionField(forms.Field):
    """A region chosen with the picker, between `min_level` and `max_level`, optionally inside `within`.

    A region with nothing below it in the picker's range counts as complete: 东莞市 (no county level) satisfies a
    field asking for a county when the field stops at level 3, and 金门县 (no townships) one asking for a township.
    """

    widget = RegionPickerWidget
    default_error_messages = {
        "invalid": _("请选择有效的行政区划。"),
        "too_shallow": _("请继续选择，至少选到%(level)s。"),
        "too_deep": _("最多只能选到%(level)s。"),
        "outside": _("所选区划不在您的管辖范围内。"),
    }

    def __init__(
        self,
        *,
        min_level: int = 1,
        max_level: int = 5,
        within: Region | str | Iterable[Region | str] | None = None,
        **kwargs,
    ):
        if not 1 <= min_level <= max_level <= 5:
            raise ValueError("need 1 <= min_level <= max_level <= 5")
        self.min_level = min_level
        self.max_level = max_level
        kwargs.setdefault("widget", RegionPickerWidget(min_level=min_level, max_level=max_level))
        super().__init__(**kwargs)
        self.widget.min_level = min_level
        self.widget.max_level = max_level
        self.within = within

    @property
    def within(self) -> list[Region] | None:
        return self._within

    @within.setter
    def within(self, value) -> None:
        self._within = _roots(value)
        self.widget.within = self._within

    def prepare_value(self, value):
        return value.code if isinstance(value, Region) else value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Region):
            return value
        try:
            return Region.objects.get(code=canonical(value))
        except (InvalidCode, Region.DoesNotExist):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if value.level > self.max_level:
            raise ValidationError(
                self.error_messages["too_deep"], code="too_deep", params={"level": LEVEL_PROMPTS[self.max_level]}
            )
        if value.level < self.min_level and value.children.filter(level__lte=self.max_level).exists():
            raise ValidationError(
                self.error_messages["too_shallow"],
                code="too_shallow",
                params={"level": LEVEL_PROMPTS[self.min_level]},
            )
        if not selectors.in_within(value, self.within):
            raise ValidationError(self.error_messages["outside"], code="outside")

    def has_changed(self, initial, data):
        return _code_or_text(initial) != _code_or_text(data)


def _code_or_text(value) -> str:
    if isinstance(value, Region):
        return value.code
    text = "" if value is None else str(value).strip()
    return canonical(text) if is_code(text) else text
