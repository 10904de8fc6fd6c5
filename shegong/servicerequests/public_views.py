"""The resident's side (码上办), no account: the request form behind a station's or a community's QR code, the page
with the tracking code, and the tracking page with the rating once the request is closed.

Abuse protection (shegong.servicerequests.abuse): a signed form token (too fast / too old refused), a honeypot field,
a per-client rate limit answered 429, and the token as the submission key so the same form sent twice makes one
request. No page here shows a worker's name or phone, nor the resident's phone.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from shegong.accounts.forms import add_service_error
from shegong.regions.models import Region
from shegong.servicerequests import abuse, selectors, services
from shegong.servicerequests.forms import PublicRequestForm, RatingForm, TrackForm
from shegong.stations import qr
from shegong.stations.models import Station


def _communities(target) -> list[Region]:
    if target.is_community:
        return [target.community]
    return list(services.target_communities(target.station).select_related(None))


def _message(request, text: str, status: int):
    return render(request, "servicerequests/public/message.html", {"message": text}, status=status)


def _accepts_requests(target) -> bool:
    if target.is_community:
        return True
    return target.station.status != Station.Status.REVOKED


@never_cache
@csrf_protect
def request_new(request, code: str):
    target = qr.public_target(code) if len(code) <= 16 else None
    if target is None or not _accepts_requests(target):
        return _message(request, _("二维码无效，或该站点已不再受理需求。"), 404)
    communities = _communities(target)
    context = {"target": target, "place": target.place_names, "code": code}
    if request.method != "POST":
        form = PublicRequestForm(communities=communities, initial={"form_token": abuse.issue_form_token(code)})
        return render(request, "servicerequests/public/request_form.html", context | {"form": form})
    form = PublicRequestForm(request.POST, communities=communities)
    token = request.POST.get("form_token", "")
    if request.POST.get(abuse.HONEYPOT):
        return _message(request, _("提交未被接受，请重新打开页面填写。"), 400)
    try:
        abuse.check_form_token(token, code)
    except ValidationError as exc:
        if exc.code == "too_fast":
            # The person may simply send again: the same token will be old enough in a moment.
            form.is_valid()
            form.add_error(None, exc)
            return render(request, "servicerequests/public/request_form.html", context | {"form": form}, status=400)
        return _message(request, exc.messages[0], 400)
    existing = services.ServiceRequest.all_records.filter(submission_token=services.submission_key(token)).first()
    if existing is not None:  # the same form sent again: the same request, the same tracking code
        return _submitted(request, existing)
    if not form.is_valid():
        return render(request, "servicerequests/public/request_form.html", context | {"form": form}, status=400)
    fingerprint = abuse.client_fingerprint(request)
    if abuse.over_rate_limit(fingerprint):
        return _message(request, _("提交过于频繁，请 10 分钟后再试；紧急情况请直接拨打站点电话。"), 429)
    by_code = {region.code: region for region in communities}
    try:
        created, _new = services.request_submit(
            target_code=code,
            form_token=token,
            client_hash=fingerprint,
            **form.service_values(by_code.get),
        )
    except ValidationError as exc:
        add_service_error(form, exc)
        return render(request, "servicerequests/public/request_form.html", context | {"form": form}, status=400)
    return _submitted(request, created)


def _submitted(request, created):
    context = {"item": created, "track_url": reverse("servicerequests:track", args=[created.tracking_code])}
    return render(request, "servicerequests/public/submitted.html", context)


@never_cache
def track_lookup(request):
    form = TrackForm(request.GET or None)
    if request.GET and form.is_valid():
        return redirect("servicerequests:track", code=form.cleaned_data["code"].strip().upper())
    return render(request, "servicerequests/public/track_lookup.html", {"form": form})


@never_cache
@csrf_protect
def track(request, code: str):
    found = services.track(code)
    if found is None:
        return _message(request, _("查询码无效，请核对后重新输入。"), 404)
    form = None
    if found.can_be_rated:
        form = RatingForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.request_rate(tracking_code=found.tracking_code, **form.cleaned_data)
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                return redirect("servicerequests:track", code=found.tracking_code)
    elif request.method == "POST":
        return _message(request, _("需求办结后才能评价，且每个需求只能评价一次。"), 400)
    context = {
        "item": found,
        "timeline": selectors.public_timeline(found),
        "form": form,
        "stars": range(found.rating or 0),
    }
    return render(request, "servicerequests/public/track.html", context, status=400 if form and form.errors else 200)
