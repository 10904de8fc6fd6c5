"""Demo: one login per role, scoped to places in 广州市 (the same names the tests use)."""

from shegong.accounts import services
from shegong.accounts.models import Role, User
from shegong.regions.models import Region

DEMO_PASSWORD = "Shegong@2026"

# username, display name, role, region code (12 digits) or "agency:N" (the N-th demo agency)
DEMO_USERS = [
    ("gz_admin", "广州市民政局 管理员", "civil_affairs_admin", "440100000000"),
    ("yuexiu_admin", "越秀区民政局 管理员", "civil_affairs_admin", "440104000000"),
    ("haizhu_admin", "海珠区民政局 管理员", "civil_affairs_admin", "440105000000"),
    ("station_head", "北京街社工站 站长", "station_head", "440104003000"),
    ("agency_admin", "启智社工中心 机构管理员", "agency_admin", "agency:0"),
    ("worker", "海珠区 社工", "social_worker", "440105000000"),
    ("supervisor", "督导", "supervisor", "440100000000"),
    ("evaluator", "评估专家", "evaluator", "440100000000"),
    ("volunteer", "志愿者", "volunteer", "440105000000"),
    ("sysadmin", "系统管理员", "system_admin", "440100000000"),
    ("secadmin", "安全管理员", "security_admin", "nationwide"),
    ("auditor", "审计管理员", "audit_admin", "440100000000"),
]


def demo_login(username: str) -> User:
    """A demo login made by `load` (this app's demo runs before the apps whose demos act as these people)."""
    return User.objects.get(username=username)


def load(context: dict) -> None:
    agencies = context.get("agencies", [])
    for username, display_name, role_code, where in DEMO_USERS:
        role = Role.objects.get(code=role_code)
        agency = agencies[int(where.split(":")[1])] if where.startswith("agency:") else None
        # Role definitions apply to the whole installation, so the security admin who edits them is nationwide.
        region = None if agency or where == "nationwide" else Region.objects.get(pk=where)
        user = User.objects.filter(username=username).first() or services.user_create(
            actor=None,
            username=username,
            password=DEMO_PASSWORD,
            display_name=display_name,
            home_region=region,
            home_agency=agency,
            must_change_password=False,
        )
        if not user.assignments.filter(role=role).exists():
            services.assignment_create(actor=None, user=user, role=role, region=region, agency=agency)
        context["logins"].append((username, DEMO_PASSWORD, role.name))
