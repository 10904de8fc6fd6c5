"""Statistical division codes (统计用区划代码): 12 digits = province 2 + city 2 + county 2 + township 3 + village 3.

Every region's significant prefix is a prefix of its descendants' codes, so "everything under X" is the range
[prefix + 0…0, prefix + 9…9] over the 12-digit code: one indexed range scan, never a recursive walk.

The level must come from the region itself, not from trailing zeros. Three prefecture-level cities have no county
level (东莞市 4419, 中山市 4420, 儋州市 4604): their townships hang directly under the city, so the township
441900003000 has level 4 and the parent 441900000000 (level 2), and "trailing zeros" would call the city a county.
`level_from_zeros` exists only for official files that carry no level column (see nbs.py), where it is the best
guess the code alone allows.
"""

PREFIX_LENGTHS = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}
CODE_LENGTH = 12


class InvalidCode(ValueError):
    """Raised for text that is not a 2/4/6/9/12-digit division code."""


def canonical(code: str | int) -> str:
    """Pad a 2/4/6/9/12-digit code with zeros to the canonical 12 digits."""
    text = str(code).strip()
    if not text.isascii() or not text.isdigit() or len(text) not in PREFIX_LENGTHS.values():
        raise InvalidCode(f"not a division code: {code!r}")
    return text.ljust(CODE_LENGTH, "0")


def is_code(text: str) -> bool:
    try:
        canonical(text)
    except InvalidCode:
        return False
    return True


def level_of_short_code(code: str) -> int:
    """The level of a code written at its own length (as the NBS lists and the API accept: 44, 4401, 440106 …)."""
    for level, length in PREFIX_LENGTHS.items():
        if len(code) == length:
            return level
    raise InvalidCode(f"not a division code: {code!r}")


def level_from_zeros(code: str) -> int:
    """The shallowest level whose prefix carries all non-zero digits of a 12-digit code (a guess: see the module)."""
    for level, length in PREFIX_LENGTHS.items():
        if code[length:].strip("0") == "":
            return level
    return 5


def prefix(code: str, level: int) -> str:
    return code[: PREFIX_LENGTHS[level]]


def subtree_bounds(code: str, level: int) -> tuple[str, str]:
    """Lowest and highest 12-digit code under (and including) the region."""
    head = prefix(code, level)
    return head.ljust(CODE_LENGTH, "0"), head.ljust(CODE_LENGTH, "9")


def ancestor_codes(code: str, level: int) -> list[str]:
    """Canonical codes of the region and its ancestors, nearest first (the region itself at index 0).

    A level with no region of its own (the county level of 东莞市) yields its parent's code a second time; callers
    that look the codes up get each region once.
    """
    return [code[: PREFIX_LENGTHS[lvl]].ljust(CODE_LENGTH, "0") for lvl in range(level, 0, -1)]


def province_code(code: str) -> str:
    return code[:2]
