"""Built-in roles (DESIGN.md §1) and the permissions each starts with.

Roles are data: the security admin changes their permissions in the UI. After every `migrate` this module creates the
missing built-in roles and grants each built-in role the defaults it has never been offered (a release that adds an
app adds its permissions here); a default the security admin removed stays removed.
"""

from django.utils.translation import gettext_lazy as _

VIEW_REFERENCE = ["regions.view_region", "refdata.view_dictionary", "policies.view_policyprofile"]
# The talent pool (人才库): who may see and keep workers' records, certificates and credit records in their scope. A
# worker reads their own record without these (the record's owner), as 我的档案.
VIEW_WORKERS = ["workers.view_socialworker", "workers.view_creditevent"]
MANAGE_WORKERS = [
    *VIEW_WORKERS,
    "workers.add_socialworker",
    "workers.change_socialworker",
    "workers.add_certificate",
    "workers.delete_certificate",
]

# Registration (执业登记) and continuing education (继续教育): staff of a scope see them, agencies and bureaus apply and
# keep training records; the bureaus review (初审 at district level, 终审 at city level: the level comes from the
# assignment's region) and verify hours. A worker applies and reports their own hours without these (the owner).
VIEW_REGISTRATION = ["registration.view_registration", "registration.view_trainingrecord"]
KEEP_REGISTRATION = [
    *VIEW_REGISTRATION,
    "registration.add_registration",
    "registration.add_trainingrecord",
    "registration.change_trainingrecord",
    "registration.delete_trainingrecord",
]
REVIEW_REGISTRATION = [
    "registration.first_review_registration",
    "registration.final_review_registration",
    "registration.verify_trainingrecord",
]

# Supervisors, leading talents and honours (督导与人才): bureaus and agencies keep them in their scope. A supervisor
# records their own sessions (as the owner of their supervisor profile); recording for others needs the keeper's
# change permission too (talent.services.can_record_session).
VIEW_TALENT = [
    "talent.view_supervisorprofile",
    "talent.view_supervisionsession",
    "talent.view_leadingtalent",
    "talent.view_honour",
]
KEEP_TALENT = [
    *VIEW_TALENT,
    "talent.change_supervisorprofile",
    "talent.add_supervisionsession",
    "talent.delete_supervisionsession",
    "talent.change_leadingtalent",
    "talent.change_honour",
]
# Recruitment (招聘): every signed-in role that looks for work or oversees it reads the board; workers apply; agencies
# post and decide; bureaus oversee applications and employment in their region. Pay (薪酬) is seen and set only by the
# employer's admins and the bureaus of the worker's region (no owner, no peers).
SEEK_WORK = ["recruitment.view_jobopening", "recruitment.add_jobapplication"]
OVERSEE_RECRUITMENT = ["recruitment.view_jobopening", "recruitment.view_jobapplication", "recruitment.view_employment"]
RECRUIT = [*OVERSEE_RECRUITMENT, "recruitment.change_jobopening", "recruitment.change_jobapplication"]
KEEP_PAY = ["recruitment.view_workerpay", "recruitment.add_workerpay", "recruitment.delete_workerpay"]
# The station network (社工站点): bureaus set stations up and decide their status (筹建/运营/暂停/撤销); a station head
# keeps their station and its rooms (service list, staff, presence); an agency does the same for the stations it
# operates (承接). Workers see their own posts and check-ins as their owner.
KEEP_STATIONS = [
    "stations.view_station",
    "stations.change_station",
    "stations.change_staffassignment",
    "stations.add_presencecheckin",
]
MANAGE_STATIONS = [*KEEP_STATIONS, "stations.add_station", "stations.add_stationstatusevent"]
# Government-purchased projects (政府购买服务项目): bureaus buy them (terms, funds, stations, outputs, lifecycle moves);
# the contractor agency keeps the delivery (roster, spending); station heads see the projects of their stations.
VIEW_PROJECTS = ["projects.view_project"]
KEEP_PROJECT_DELIVERY = [*VIEW_PROJECTS, "projects.keep_delivery"]
BUY_PROJECTS = [*KEEP_PROJECT_DELIVERY, "projects.add_project", "projects.change_project", "projects.move_project"]
# Evaluations (评估): bureaus keep the templates, organise evaluations and assign evaluators; evaluators score what is
# assigned to them (as its owner); the contractor sees its results.
ORGANISE_EVALUATIONS = [
    "evaluations.view_evaluationtemplate",
    "evaluations.add_evaluationtemplate",
    "evaluations.change_evaluationtemplate",
    "evaluations.view_evaluation",
    "evaluations.organise_evaluation",
    "evaluations.score_evaluation",
]
SCORE_EVALUATIONS = ["evaluations.view_evaluationtemplate", "evaluations.score_evaluation"]
VIEW_EVALUATION_RESULTS = ["evaluations.view_evaluation_result"]
# Inspections and rectification (督查 / 整改): bureaus plan and inspect, and review rectification; agencies and station
# heads answer the rectification items of their own agency or station.
RUN_INSPECTIONS = [
    "inspections.view_inspectionplan",
    "inspections.add_inspectionplan",
    "inspections.change_inspectionplan",
    "inspections.view_inspection",
    "inspections.change_inspection",
    "inspections.correct_inspection",
    "inspections.view_rectificationitem",
    "inspections.add_rectificationitem",
    "inspections.review_rectificationitem",
]
ANSWER_RECTIFICATION = ["inspections.view_rectificationitem", "inspections.answer_rectificationitem"]
# Recipients (服务对象): the people served, the most sensitive records here. Filled by the recipients app.
# bureaus: read in their region, statistics, the legally required record
OVERSEE_RECIPIENTS: list[str] = ["recipients.view_recipient", "recipients.view_withdrawn_recipient"]
# stations and agencies: register, edit, consent, in their scope
KEEP_RECIPIENTS: list[str] = ["recipients.view_recipient", "recipients.add_recipient", "recipients.change_recipient"]
# social workers: the recipients of their own station or community; they register a resident who asks for help
# (码上办) when turning the request into a case
SERVE_RECIPIENTS: list[str] = ["recipients.view_recipient", "recipients.add_recipient"]

# Service delivery (个案 / 小组 / 社区活动 / 转介 / 服务需求, issue 6). A social worker keeps their own cases, groups
# and activities (as their owner: the worker's account) and answers the requests assigned to them; the station head
# keeps everything of the station, reviews cases and dispatches requests; the agency keeps what its stations deliver;
# bureaus oversee (read, statistics) and may dispatch a whole district's queue; supervisors review cases.
OVERSEE_SERVICES = [
    "casework.view_case",
    "servicerequests.view_servicerequest",
    "servicerequests.dispatch_servicerequest",
    "persontimes.view_persontime",
    "referrals.view_referral",
    "referrals.answer_referral",
    "groupwork.view_groupwork",
    "groupwork.view_communityactivity",
]
KEEP_SERVICES = [
    "casework.view_case",
    "servicerequests.view_servicerequest",
    "casework.add_case",
    "casework.change_case",
    "persontimes.view_persontime",
    "referrals.view_referral",
    "referrals.add_referral",
    "referrals.answer_referral",
    "groupwork.view_groupwork",
    "groupwork.add_groupwork",
    "groupwork.change_groupwork",
    "groupwork.view_communityactivity",
    "groupwork.add_communityactivity",
    "groupwork.change_communityactivity",
]
DISPATCH_REQUESTS = ["servicerequests.dispatch_servicerequest"]
REVIEW_CASES = ["casework.view_case", "casework.review_case"]
SERVE = ["casework.add_case", "referrals.add_referral", "groupwork.add_groupwork", "groupwork.add_communityactivity"]

# Volunteers, the time bank and charity points (志愿者 / 时间银行 / 慈善捐赠站点, issue 8). Bureaus oversee (and open
# charity points); stations and agencies keep their volunteers, teams, records, certificates, time-bank accounts and
# donations (谁记录谁证明: they confirm and certify the service they recorded); social workers post needs and confirm
# the hours of the volunteers who served with them; a volunteer signs up and trades hours, and reads their own record,
# certificates and account as the owner.
OVERSEE_VOLUNTEERS = [
    "volunteers.view_volunteer",
    "volunteers.view_volunteerteam",
    "volunteers.view_servicerecord",
    "charity.view_charitypoint",
    "charity.add_charitypoint",
    "charity.change_charitypoint",
    "charity.view_donation",
    "charity.view_allocation",
    "volunteering.view_volunteerneed",
    "timebank.view_account",
    "timebank.view_offer",
    "volunteers.view_certificate",
]
KEEP_VOLUNTEERS = [
    "volunteers.view_volunteer",
    "volunteers.add_volunteer",
    "volunteers.change_volunteer",
    "volunteers.view_volunteerteam",
    "volunteers.add_volunteerteam",
    "volunteers.change_volunteerteam",
    "volunteers.view_servicerecord",
    "volunteers.add_servicerecord",
    "volunteers.change_servicerecord",
    "volunteers.confirm_servicerecord",
    "charity.view_charitypoint",
    "charity.add_charitypoint",
    "charity.change_charitypoint",
    "charity.view_donation",
    "charity.add_donation",
    "charity.view_allocation",
    "charity.add_allocation",
    "volunteering.view_volunteerneed",
    "volunteering.add_volunteerneed",
    "volunteering.change_volunteerneed",
    "timebank.view_account",
    "timebank.add_account",
    "timebank.add_transfer",
    "timebank.view_offer",
    "timebank.add_offer",
    "volunteers.view_certificate",
    "volunteers.add_certificate",
    "volunteers.change_certificate",
]
WORK_WITH_VOLUNTEERS = [
    "volunteers.view_volunteer",
    "volunteers.view_volunteerteam",
    "volunteers.view_servicerecord",
    "volunteers.add_servicerecord",
    "volunteers.confirm_servicerecord",
    "volunteering.view_volunteerneed",
    "volunteering.add_volunteerneed",
    "volunteering.change_volunteerneed",
    "timebank.view_account",
    "timebank.view_offer",
    "volunteers.view_certificate",
]
BE_A_VOLUNTEER = [
    "volunteering.add_signup",
    "timebank.view_offer",
    "timebank.add_offer",
]

# Indicators, dashboards and the statistical report (统计看板与报表) of the user's regions; bureaus set targets.
VIEW_DASHBOARDS = ["analytics.view_dashboard", "analytics.view_target"]
SET_TARGETS = [*VIEW_DASHBOARDS, "analytics.add_target", "analytics.change_target", "analytics.delete_target"]

BUILTIN_ROLES: dict[str, tuple] = {
    "civil_affairs_admin": (
        _("民政部门管理员"),
        _("本辖区的登记、目标、政策规则集、看板、评估与督查"),
        [
            *VIEW_REFERENCE,
            "policies.change_policyprofile",
            "agencies.view_agency",
            "agencies.add_agency",
            "agencies.change_agency",
            "agencies.add_agencyrating",
            "agencies.add_agencystatusevent",
            *MANAGE_WORKERS,
            "workers.add_creditevent",
            "workers.change_creditevent",
            *KEEP_REGISTRATION,
            *REVIEW_REGISTRATION,
            *KEEP_TALENT,
            *OVERSEE_RECRUITMENT,
            *KEEP_PAY,
            *MANAGE_STATIONS,
            *BUY_PROJECTS,
            *ORGANISE_EVALUATIONS,
            *RUN_INSPECTIONS,
            *OVERSEE_RECIPIENTS,
            *OVERSEE_SERVICES,
            *OVERSEE_VOLUNTEERS,
            *SET_TARGETS,
            "accounts.reveal_personal_data",
        ],
    ),
    "station_head": (
        _("站长"),
        _("本站点及下属社工室、人员在岗、服务需求与派单"),
        [
            *VIEW_REFERENCE,
            "agencies.view_agency",
            *VIEW_WORKERS,
            *VIEW_REGISTRATION,
            *VIEW_TALENT,
            "recruitment.view_jobopening",
            *KEEP_STATIONS,
            *VIEW_PROJECTS,
            *ANSWER_RECTIFICATION,
            *KEEP_RECIPIENTS,
            *KEEP_SERVICES,
            *DISPATCH_REQUESTS,
            *REVIEW_CASES,
            *KEEP_VOLUNTEERS,
            *VIEW_DASHBOARDS,
            "accounts.reveal_personal_data",
        ],
    ),
    "agency_admin": (
        _("机构管理员"),
        _("本机构的人员、项目、预算与自评"),
        [
            *VIEW_REFERENCE,
            "agencies.view_agency",
            "agencies.change_agency",
            *MANAGE_WORKERS,
            *KEEP_REGISTRATION,
            *KEEP_TALENT,
            *RECRUIT,
            *KEEP_PAY,
            *KEEP_STATIONS,
            *KEEP_PROJECT_DELIVERY,
            *VIEW_EVALUATION_RESULTS,
            *ANSWER_RECTIFICATION,
            *KEEP_RECIPIENTS,
            *KEEP_SERVICES,
            *KEEP_VOLUNTEERS,
            "accounts.reveal_personal_data",
        ],
    ),
    "social_worker": (
        _("社工"),
        _("个人档案、证书、培训学时、个案、小组、活动与派给自己的需求"),
        [*VIEW_REFERENCE, "workers.view_own_profile", *SEEK_WORK, *SERVE_RECIPIENTS, *SERVE, *WORK_WITH_VOLUNTEERS],
    ),
    "supervisor": (
        _("督导"),
        _("被督导人与督导记录"),
        [
            *VIEW_REFERENCE,
            "talent.view_supervisorprofile",
            "talent.view_supervisionsession",
            "talent.add_supervisionsession",
            *SEEK_WORK,
            *REVIEW_CASES,
        ],
    ),
    "evaluator": (_("评估专家"), _("分配给自己的评估"), [*VIEW_REFERENCE, *SCORE_EVALUATIONS]),
    "volunteer": (_("志愿者"), _("个人服务时长、报名与时间银行余额"), ["regions.view_region", *BE_A_VOLUNTEER]),
    "system_admin": (
        _("系统管理员"),
        _("用户账户与系统设置（字典）；不能查看操作日志"),
        [*VIEW_REFERENCE, "accounts.manage_users", "accounts.view_user", "refdata.change_dictionary"],
    ),
    "security_admin": (
        _("安全管理员"),
        _("角色、权限与授权；不能管理账户，不能查看操作日志"),
        [*VIEW_REFERENCE, "accounts.manage_roles", "accounts.view_user"],
    ),
    "audit_admin": (_("审计管理员"), _("只能查看操作日志"), ["audit.view_auditentry"]),
}


def ensure_builtin_roles(sender=None, **kwargs) -> None:
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Permission

    from shegong.accounts.models import Role

    # Permissions are normally created per app after migrate; make sure all exist before roles refer to them.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for code, (name, description, perms) in BUILTIN_ROLES.items():
        role, _created = Role.objects.get_or_create(
            code=code, defaults={"name": str(name), "description": str(description), "is_builtin": True}
        )
        offered = set(role.defaults_applied)
        new = [name for name in perms if name not in offered]
        if new:
            role.permissions.add(*permissions_by_name(new, Permission))
            role.defaults_applied = sorted(offered | set(perms))
            role.save(update_fields=["defaults_applied"])


def permissions_by_name(names: list[str], permission_model) -> list:
    found = []
    for name in names:
        app_label, codename = name.split(".")
        perm = permission_model.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if perm is None:
            raise LookupError(f"built-in role refers to unknown permission {name}")
        found.append(perm)
    return found
