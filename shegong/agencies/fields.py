"""Columns derived from other columns of the same row, filled when the row is written (save() and bulk_create() both
call a field's pre_save), so no code path (service, import, fixture) can forget them."""

import re

from django.db import models
from pypinyin import Style, lazy_pinyin

NOT_SEARCHABLE = re.compile(r"[^0-9a-z]")


def pinyin_initials(text: str) -> str:
    """The first letter of each character's pinyin, lower case, with digits and Latin letters kept and punctuation
    dropped: 广州市越秀区启智社会工作服务中心 → gzsyxqqzshgzfwzx. pypinyin picks the reading of polyphonic
    characters from the word they stand in (重庆 → cq, 长沙 → cs)."""
    letters = "".join(lazy_pinyin(text or "", style=Style.FIRST_LETTER)).lower()
    return NOT_SEARCHABLE.sub("", letters)


class PinyinInitialsField(models.CharField):
    """The pinyin initials of another text field of the model, for search by initials (搜索“qz”找到“启智”)."""

    def __init__(self, *args, source: str = "name", **kwargs):
        self.source = source
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = pinyin_initials(getattr(model_instance, self.source))[: self.max_length]
        setattr(model_instance, self.attname, value)
        return value


class ProvinceCodeField(models.CharField):
    """The 2-digit province code of the row's region foreign key (the distribution column when the database is sharded
    by province, DESIGN.md §5)."""

    def __init__(self, *args, source: str = "region", **kwargs):
        self.source = source
        kwargs["max_length"] = 2
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        del kwargs["max_length"]
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        region_code = getattr(model_instance, f"{self.source}_id") or ""
        value = region_code[:2]
        setattr(model_instance, self.attname, value)
        return value
