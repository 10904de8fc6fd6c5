"""The permission matrix: every view × named user, with the status each must get.

Names are "anonymous" (the signed-out visitor: pages redirect to the login page, 302; the API answers 401) and every
named user of the world (shegong/testing/world.py), plus any extra users a test passes. Users left out of `expected`
get `default`; with no default they are not checked. A name that is neither a world user nor an extra user is an
error, so a typo cannot silently skip a check.

One view, one call:

    assert_matrix(client, world, reverse("regions:browser"), {"anonymous": 302}, default=200)

Or an app's views as data, checked by one parametrised test (the NetBox habit: tests are data fed to shared code).
`args` builds the URL arguments from the world (an object inside the scope of the users expected to get 200);
`out_of_scope` builds arguments naming an object outside their scope: each user listed in `out_of_scope_users` (by
default every user expected to get 200) must then get 404, never 403 or 200.

    CASES = [
        ViewCase("accounts:user_list", {"anonymous": 302, "system_admin": 200}, default=403),
        ViewCase(
            "accounts:user_detail",
            {"anonymous": 302, "system_admin": 200},
            default=403,
            args=lambda w: [w.district_a_admin.pk],
            out_of_scope=lambda w: [w.outsider.pk],
        ),
    ]

    @pytest.mark.parametrize("case", CASES, ids=str)
    def test_permission_matrix(client, world, case):
        case.check(client, world)

Every request starts from a signed-out client and signs the user in with force_login, so users never share a session.
Checks that change data (POST) run once per user in the order anonymous, then the world's users: make them idempotent
or give each case its own object.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

ANONYMOUS = "anonymous"


def status_for(client: Client, user, url: str, method: str = "get", data=None, **extra) -> int:
    return response_for(client, user, url, method, data, **extra).status_code


def response_for(client: Client, user, url: str, method: str = "get", data=None, **extra):
    client.logout()
    if user is not None:
        client.force_login(user)
    return getattr(client, method)(url, data=data or {}, **extra)


def _population(world, users: Mapping | None) -> dict:
    people = dict(world.users)
    if users:
        people.update(users)
    return people


def assert_matrix(
    client: Client,
    world,
    url: str,
    expected: Mapping[str, int],
    *,
    default: int | None = None,
    method: str = "get",
    data=None,
    users: Mapping | None = None,
    **extra,
) -> dict[str, int]:
    """Check every named user (and the anonymous visitor) against `expected`; report all mismatches at once.

    `users` adds people created by the test (name → user) to the world's. `extra` goes to the client call (headers
    such as HTTP_AUTHORIZATION). Returns the status each checked name got. An anonymous visitor expected to get 302
    must be sent to the login page, not anywhere else.
    """
    people = _population(world, users)
    unknown = sorted(set(expected) - set(people) - {ANONYMOUS})
    if unknown:
        raise ValueError(f"unknown user name(s) in the matrix: {', '.join(unknown)}")
    login_url = resolve_url(settings.LOGIN_URL)
    got_statuses, mismatches = {}, []
    for name in [ANONYMOUS, *people]:
        want = expected.get(name, default)
        if want is None:
            continue
        user = None if name == ANONYMOUS else people[name]
        response = response_for(client, user, url, method, data, **extra)
        got = got_statuses[name] = response.status_code
        if got != want:
            mismatches.append(f"{name}: expected {want}, got {got}")
        elif name == ANONYMOUS and got == 302 and not response["Location"].startswith(login_url):
            mismatches.append(f"{name}: redirected to {response['Location']}, not to the login page")
    client.logout()
    assert not mismatches, f"{method.upper()} {url}\n  " + "\n  ".join(mismatches)
    return got_statuses


@dataclass
class ViewCase:
    """One view's row of the matrix (see the module docstring)."""

    url_name: str
    expected: Mapping[str, int]
    default: int | None = None
    args: Callable[..., Sequence] | None = None
    method: str = "get"
    data: Mapping | Callable[..., Mapping] | None = None
    out_of_scope: Callable[..., Sequence] | None = None
    out_of_scope_users: Sequence[str] | None = None
    label: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.label or f"{self.method.upper()} {self.url_name}"

    def url(self, world, args: Callable[..., Sequence] | None = None) -> str:
        builder = args or self.args
        return reverse(self.url_name, args=list(builder(world)) if builder else None)

    def payload(self, world):
        return self.data(world) if callable(self.data) else self.data

    def check(self, client: Client, world, users: Mapping | None = None) -> None:
        assert_matrix(
            client,
            world,
            self.url(world),
            self.expected,
            default=self.default,
            method=self.method,
            data=self.payload(world),
            users=users,
            **self.extra,
        )
        if self.out_of_scope is None:
            return
        people = _population(world, users)
        names = self.out_of_scope_users
        if names is None:
            names = [name for name in people if self.expected.get(name, self.default) in (200, 302)]
        if not names:
            raise ValueError(f"{self}: out_of_scope given but no user to check it with")
        assert_matrix(
            client,
            world,
            self.url(world, self.out_of_scope),
            dict.fromkeys(names, 404),
            method=self.method,
            data=self.payload(world),
            users=users,
            **self.extra,
        )


def visible_ids(client: Client, user, url: str, key: str = "id", **extra) -> set:
    """IDs in a JSON list answer (API endpoints) as seen by `user`; accepts a bare list or {"items": [...]}."""
    client.logout()
    if user is not None:
        client.force_login(user)
    payload = client.get(url, **extra).json()
    items = payload["items"] if isinstance(payload, dict) else payload
    return {item[key] for item in items}
