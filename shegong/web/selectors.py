from shegong.accounts.selectors import ScopeLine, my_scope


def home_scope(user) -> list[ScopeLine]:
    """What the home page shows of the user's scope: each assignment's role and where it applies (region path such
    as 广东省 › 广州市 › 越秀区, an agency, or nationwide)."""
    return my_scope(user)
