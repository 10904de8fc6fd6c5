"""The permission matrix: every view × named user, with the status each must get.

Feed it a URL and the expected status per user; users left out default to `default`. "anonymous" is the signed-out
visitor (pages redirect to the login page: 302; the API answers 401). Out-of-scope objects must answer 404.

    assert_matrix(client, world, reverse("regions:browser"), {"anonymous": 302}, default=200)
"""

from collections.abc import Mapping

from django.test import Client

ANONYMOUS = "anonymous"


def status_for(client: Client, user, url: str, method: str = "get", data=None) -> int:
    client.logout()
    if user is not None:
        client.force_login(user)
    response = getattr(client, method)(url, data=data or {})
    return response.status_code


def assert_matrix(
    client: Client,
    world,
    url: str,
    expected: Mapping[str, int],
    *,
    default: int | None = None,
    method: str = "get",
    data=None,
) -> None:
    """Check every named user (and the anonymous visitor) against `expected`; report all mismatches at once."""
    names = [ANONYMOUS, *world.users.keys()]
    mismatches = []
    for name in names:
        want = expected.get(name, default)
        if want is None:
            continue
        user = None if name == ANONYMOUS else world.users[name]
        got = status_for(client, user, url, method, data)
        if got != want:
            mismatches.append(f"{name}: expected {want}, got {got}")
    client.logout()
    assert not mismatches, f"{method.upper()} {url}\n  " + "\n  ".join(mismatches)


def visible_ids(client: Client, user, url: str, key: str = "id") -> set:
    """IDs in a JSON list answer (API endpoints) as seen by `user`; accepts a bare list or {"items": [...]}."""
    client.logout()
    client.force_login(user)
    payload = client.get(url).json()
    items = payload["items"] if isinstance(payload, dict) else payload
    return {item[key] for item in items}
