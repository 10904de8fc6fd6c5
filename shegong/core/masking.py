"""Masking of personal identifiers for display (身份证: first 6 and last 4; phone: first 3 and last 4)."""


def _mask(value: str, keep_start: int, keep_end: int) -> str:
    value = value or ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[len(value) - keep_end :]


def mask_id_number(value: str) -> str:
    return _mask(value, 6, 4)


def mask_phone(value: str) -> str:
    return _mask(value, 3, 4)


def mask_generic(value: str) -> str:
    return _mask(value, 1, 1)


MASKERS = {"id_number": mask_id_number, "phone": mask_phone, "generic": mask_generic}
