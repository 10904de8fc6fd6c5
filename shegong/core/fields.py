"""Model fields for personal identifiers: encrypted at rest, with a keyed-hash twin for lookups and uniqueness.

Usage in a model:

    id_number = EncryptedCharField(_("身份证号"), kind="id_number", index_field="id_number_index")
    id_number_index = BlindIndexField(unique=True)

Setting `obj.id_number` and saving fills `obj.id_number_index`; look a person up with
`Model.objects.filter(id_number_index=blind_index_for(Model, "id_number", value))` (or the `matching` helper).
"""

from django.db import models

from shegong.core import crypto
from shegong.core.masking import MASKERS


def normalize(kind: str, value: str) -> str:
    value = (value or "").strip()
    if kind == "id_number":
        return value.upper()
    if kind == "phone":
        return "".join(ch for ch in value if ch.isdigit() or ch == "+")
    return value


class EncryptedCharField(models.TextField):
    """Holds plaintext in Python and an AES-GCM token in the database column."""

    def __init__(self, *args, kind: str = "generic", index_field: str | None = None, **kwargs):
        self.kind = kind
        self.index_field = index_field
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        if self.index_field:
            kwargs["index_field"] = self.index_field
        return name, path, args, kwargs

    @property
    def _context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.attname}"

    def from_db_value(self, value, expression, connection):
        if not value:
            return ""
        return crypto.unseal(value, context=self._context)

    def get_prep_value(self, value):
        value = normalize(self.kind, super().get_prep_value(value) or "")
        return crypto.seal(value, context=self._context) if value else ""

    def pre_save(self, model_instance, add):
        value = normalize(self.kind, getattr(model_instance, self.attname) or "")
        setattr(model_instance, self.attname, value)
        if self.index_field:
            setattr(model_instance, self.index_field, self.blind_index(value) if value else None)
        return value

    def blind_index(self, value: str) -> str:
        return crypto.blind_index(normalize(self.kind, value), purpose=self._context)

    def mask(self, value: str) -> str:
        return MASKERS[self.kind](value)

    def get_lookup(self, lookup_name):
        # Ciphertext is randomised: only the blind index can answer equality, so refuse every other lookup loudly.
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None


class BlindIndexField(models.CharField):
    """The keyed hash of an EncryptedCharField's value (hex HMAC-SHA256), NULL when the value is empty."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)


def blind_index_for(model, field_name: str, value: str) -> str:
    return model._meta.get_field(field_name).blind_index(value)


def matching(queryset, field_name: str, value: str):
    """Rows whose encrypted `field_name` equals `value`, found through its blind index."""
    field = queryset.model._meta.get_field(field_name)
    return queryset.filter(**{field.index_field: field.blind_index(value)})
