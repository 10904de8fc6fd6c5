"""Statistical division codes (统计用区划代码): 12 digits = province 2 + city 2 + county 2 + township 3 + village 3.

Every region's significant prefix is a prefix of its descendants' codes, so "everything under X" is the range
[prefix + 0…0, prefix + 9…9] over the 12-digit code: one indexed range scan, never a recursive walk. The level must
come from the region itself, not from trailing zeros: 东莞市 is the county-level 441900 under the city 4419.
"""

PREFIX_LENGTHS = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}
CODE_LENGTH = 12


def canonical(code: str | int) -> str:
    """Pad a 2/4/6/9/12-digit code with zeros to the canonical 12 digits."""
    text = str(code).strip()
    if not text.isdigit() or len(text) not in PREFIX_LENGTHS.values():
        raise ValueError(f"not a division code: {code!r}")
    return text.ljust(CODE_LENGTH, "0")


def level_of_short_code(code: str) -> int:
    """The level of a code written at its own length (as the NBS lists and the API accept: 44, 4401, 440106 …)."""
    for level, length in PREFIX_LENGTHS.items():
        if len(code) == length:
            return level
    raise ValueError(f"not a division code: {code!r}")


def prefix(code: str, level: int) -> str:
    return code[: PREFIX_LENGTHS[level]]


def subtree_bounds(code: str, level: int) -> tuple[str, str]:
    """Lowest and highest 12-digit code under (and including) the region."""
    head = prefix(code, level)
    return head.ljust(CODE_LENGTH, "0"), head.ljust(CODE_LENGTH, "9")


def ancestor_codes(code: str, level: int) -> list[str]:
    """Canonical codes of the region and its ancestors, nearest first (the region itself at index 0)."""
    return [code[: PREFIX_LENGTHS[lvl]].ljust(CODE_LENGTH, "0") for lvl in range(level, 0, -1)]


def province_code(code: str) -> str:
    return code[:2]
