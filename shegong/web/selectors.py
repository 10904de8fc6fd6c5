from shegong.accounts.selectors import assignments_of


def home_scope(user) -> list:
    """What the home page shows of the user's scope: each assignment with its role and region or agency."""
    return list(assignments_of(user).order_by("role__code", "region_id", "agency_id"))
