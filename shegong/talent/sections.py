"""The section this app adds to a worker's profile (shegong.workers.sections): supervisor grade, leading talent
selections and honours, on the staff detail page and on the worker's own 我的档案. Each part is read through this
app's scoped selectors, so a viewer sees only what their scope allows; the section hides when there is nothing."""

from django.utils.translation import gettext_lazy as _

from shegong.talent import selectors


def talent_context(worker, user, own: bool) -> dict | None:
    perms = (selectors.VIEW_SUPERVISORS, selectors.VIEW_LEADING, selectors.VIEW_HONOURS)
    if not own and not any(user.has_perm(perm) for perm in perms):
        return None
    profile = selectors.supervisors(user).filter(worker=worker).first()
    talents = list(selectors.leading_talents(user).filter(worker=worker).order_by("-selected_year", "pk"))
    honours = list(selectors.honours(user).filter(worker=worker).order_by("-awarded_on", "pk"))
    if profile is None and not talents and not honours:
        return None
    return {"profile": profile, "talents": talents, "honours": honours}


def register_sections() -> None:
    from shegong.workers.sections import ProfileSection, register

    register(
        ProfileSection(
            key="talent",
            title=_("督导等级与荣誉"),
            template="talent/_worker_section.html",
            context=talent_context,
            order=40,
        )
    )
