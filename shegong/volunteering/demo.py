"""Demo volunteer needs: needs on about 150 demo community activities of 广州市 with their shifts, sign-ups of the
demo volunteers in every status, check-ins and check-outs, and hours confirmed by the organisers who sign in (the
demo social worker's activities). Past shifts are history: their rows are written as they stood after the day (the
services refuse sign-ups to past shifts); the hours go through the confirming service. Loading twice changes
nothing."""

import datetime
import random

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from shegong.groupwork.models import CommunityActivity
from shegong.volunteering import selectors, services
from shegong.volunteering.models import NeedShift, SignUp, VolunteerNeed
from shegong.volunteers.models import Volunteer

CITY_LOW, CITY_HIGH = "440100000000", "440199999999"
DEMO_VOLUNTEER = "volunteer"  # the demo login linked to a volunteer (volunteers/demo.py)
SEED = 20_261_208
NEEDS = 150
ROLES = ["引导员、签到登记", "长者陪伴", "摄影记录", "物资搬运、场地布置", "儿童看护", "义剪、义诊协助"]
DECLINE_REASONS = ["该班次人数已足", "岗位需要相关经验", "时间与其他安排冲突"]


def _shifts(rng, activity: CommunityActivity) -> list[dict]:
    start = min(activity.starts_at or datetime.time(9, 0), datetime.time(20, 0))
    first_end = (datetime.datetime.combine(activity.held_on, start) + datetime.timedelta(hours=2)).time()
    shifts = [
        {"day": activity.held_on, "starts_at": start, "ends_at": max(first_end, start), "needed": rng.randint(3, 8)}
    ]
    if first_end <= start:
        shifts[0]["ends_at"] = datetime.time(23, 59)
    elif rng.random() < 0.4 and first_end < datetime.time(21, 0):
        later = (datetime.datetime.combine(activity.held_on, first_end) + datetime.timedelta(hours=2)).time()
        shifts.append({"day": activity.held_on, "starts_at": first_end, "ends_at": later, "needed": rng.randint(2, 5)})
    if rng.random() < 0.3:  # a follow-up date still ahead: open for sign-ups
        day = timezone.localdate() + datetime.timedelta(days=rng.randint(0, 14))
        shifts.append({"day": day, "starts_at": datetime.time(9, 0), "ends_at": datetime.time(11, 30), "needed": 4})
    return shifts


def _history(rng, shift: NeedShift, volunteers: list[Volunteer]) -> list[SignUp]:
    """Sign-ups of a past shift as they stood after the day: most accepted and attended, some declined, withdrawn."""
    rows = []
    for volunteer in rng.sample(volunteers, min(len(volunteers), shift.needed + 2)):
        status = rng.choices(["accepted", "declined", "withdrawn"], weights=[8, 1, 1])[0]
        if status == "accepted" and sum(row.status == "accepted" for row in rows) >= shift.needed:
            status = "declined"
        row = SignUp(shift=shift, volunteer=volunteer, status=status)
        if status == "declined":
            row.reason = rng.choice(DECLINE_REASONS)
        if status == "accepted":
            start = timezone.make_aware(datetime.datetime.combine(shift.day, shift.starts_at))
            end = timezone.make_aware(datetime.datetime.combine(shift.day, shift.ends_at))
            row.checked_in_at = start - datetime.timedelta(minutes=rng.randint(0, 15))
            row.checked_out_at = end + datetime.timedelta(minutes=rng.randint(-20, 20))
        rows.append(row)
    return SignUp.objects.bulk_create(rows)


def load(context: dict) -> None:
    stdout = context["stdout"]
    existing = VolunteerNeed.objects.filter(region__gte=CITY_LOW, region__lte=CITY_HIGH)
    if existing.exists():
        stdout.write(f"志愿需求：已有 {existing.count()} 个，未重复生成")
        return
    rng = random.Random(SEED)
    today = timezone.localdate()
    demo_worker = context.get("demo_worker")
    activities = list(
        CommunityActivity.objects.filter(community__gte=CITY_LOW, community__lte=CITY_HIGH)
        .select_related("organiser", "station", "community")
        .order_by("-held_on", "id")[:600]
    )
    if not activities:
        return
    own = [activity for activity in activities if demo_worker is not None and activity.organiser_id == demo_worker.pk]
    chosen = own[:20] + rng.sample(activities, max(0, min(len(activities), NEEDS - len(own[:20]))))
    volunteers = list(Volunteer.objects.filter(region__gte=CITY_LOW, region__lte=CITY_HIGH, status="active"))
    needs = confirmed = 0
    signups = 0
    for activity in dict.fromkeys(chosen):
        with transaction.atomic():
            need = services.need_post(
                actor=None,
                target=activity,
                organiser=activity.organiser,
                title=f"{activity.title}志愿者招募",
                roles=rng.choice(ROLES),
                place=activity.place,
                description=activity.description[:500],
                shifts=_shifts(rng, activity),
            )
            needs += 1
            if not need.shifts.filter(day__gte=today).exists():
                need.status = VolunteerNeed.Status.CLOSED
                need.save(update_fields=["status"])
            if not volunteers:
                continue
            near = [v for v in volunteers if v.region_id[:6] == activity.community_id[:6]] or volunteers
            for shift in need.shifts.all():
                if shift.day < today:
                    rows = _history(rng, shift, near)
                    signups += len(rows)
                    organiser_account = activity.organiser.account
                    if organiser_account is None:
                        continue
                    for row in rows:
                        if row.status != "accepted":
                            continue
                        try:
                            with transaction.atomic():
                                services.hours_confirm(actor=organiser_account, signup=row)
                            confirmed += 1
                        except (ValidationError, PermissionDenied):
                            continue  # a volunteer outside the organiser's scope stays unconfirmed
                else:
                    for volunteer in rng.sample(near, min(len(near), max(shift.needed - 1, 1))):
                        row = SignUp.objects.create(shift=shift, volunteer=volunteer)
                        if rng.random() < 0.5:
                            row.status = SignUp.Status.ACCEPTED
                            row.save(update_fields=["status"])
                        signups += 1
    needs += _near_the_demo_volunteer(rng, activities, today)
    stdout.write(f"志愿需求：{needs} 个需求，{signups} 条报名，{confirmed} 条由组织社工确认的服务时长")


def _near_the_demo_volunteer(rng, activities: list, today: datetime.date) -> int:
    """Open needs with shifts in the coming days in the street (else the district) of the demo login "volunteer", so
    附近的志愿需求 has something to sign up for on the first visit."""
    volunteer = Volunteer.objects.filter(account__username=DEMO_VOLUNTEER).first()
    if volunteer is None or selectors.needs_near(volunteer, today).exists():
        return 0
    street = [a for a in activities if a.community_id[:9] == volunteer.region_id[:9]]
    district = [a for a in activities if a.community_id[:6] == volunteer.region_id[:6]]
    posted = 0
    for offset, activity in enumerate((street or district)[:3], start=1):
        day = today + datetime.timedelta(days=offset * 2)
        services.need_post(
            actor=None,
            target=activity,
            organiser=activity.organiser,
            title=f"{activity.title}志愿者招募",
            roles=rng.choice(ROLES),
            place=activity.place,
            description=activity.description[:500],
            shifts=[{"day": day, "starts_at": datetime.time(9, 0), "ends_at": datetime.time(11, 30), "needed": 5}],
        )
        posted += 1
    return posted
