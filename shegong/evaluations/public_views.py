"""The anonymous satisfaction questionnaire a survey link or QR code opens (`/q/<token>/`): no sign-in, a phone
page, no personal data asked or kept. One answer per token (services.survey_answer consumes the token atomically),
CSRF-protected, and rate-limited per client address through the cache (Redis when configured)."""

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from shegong.core.request_context import client_ip
from shegong.evaluations import services

# At most this many submissions per client address per window (a survey is handed out on paper in a room: a few
# dozen people behind one address must still get through).
RATE_LIMIT = 60
RATE_WINDOW = 600


def _over_limit(request) -> bool:
    key = f"evaluations:survey-rate:{client_ip(request)}"
    if cache.add(key, 1, RATE_WINDOW):
        return False
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, RATE_WINDOW)
        return False
    return count > RATE_LIMIT


@never_cache
@csrf_protect
def answer(request, token: str):
    found = services.survey_for_token(token) if len(token) <= 32 else None
    if found is None:
        return render(request, "evaluations/public/survey_message.html", {"message": _("问卷链接无效。")}, status=404)
    context = {"token": found, "survey": found.survey, "likert": [5, 4, 3, 2, 1]}
    if found.used_at is not None:
        context["message"] = _("此问卷链接已经提交过答卷，每个链接只能提交一次。感谢您的参与！")
        status = 409 if request.method == "POST" else 200
        return render(request, "evaluations/public/survey_message.html", context, status=status)
    if not services.survey_open(found):
        context["message"] = _("本次满意度调查已经结束，感谢您的关注。")
        return render(request, "evaluations/public/survey_message.html", context)
    if request.method == "POST":
        if _over_limit(request):
            context["message"] = _("提交过于频繁，请稍后再试。")
            return render(request, "evaluations/public/survey_message.html", context, status=429)
        answers = [request.POST.get(f"q{index}", "") for index in range(len(found.survey.questions))]
        try:
            services.survey_answer(token=found, answers=answers, comment=request.POST.get("comment", ""))
        except ValidationError as exc:
            if exc.code == "used":
                context["message"] = exc.messages[0]
                return render(request, "evaluations/public/survey_message.html", context, status=409)
            context["error"] = "；".join(exc.messages)
            context["posted"] = answers
        else:
            context["message"] = _("提交成功，感谢您的评价！")
            return render(request, "evaluations/public/survey_message.html", context)
    context["questions"] = [
        {"index": index, "text": text, "value": (context.get("posted") or [""] * 99)[index]}
        for index, text in enumerate(found.survey.questions)
    ]
    return render(request, "evaluations/public/survey.html", context)
