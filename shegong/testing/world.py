"""Named test users (Healthchecks habit), each with one assignment, over the real 广州市 divisions.

city_admin        民政部门管理员 of 广州市 (4401)
district_a_admin  民政部门管理员 of 越秀区 (440104), "district A"
district_b_admin  民政部门管理员 of 海珠区 (440105), "district B"
station_head_a    站长 of 北京街道 (440104003) in district A
worker_b          社工 in district B
agency_admin_a    机构管理员 of an agency of district A
evaluator         评估专家 over 广州市 (scores the evaluations assigned to them)
system_admin, security_admin, audit_admin   the three admins of 等保 三员分立, all over 广州市
outsider          民政部门管理员 of 深圳市 (4403): sees nothing of 广州
no_role           signed in, no assignment at all
"""

from dataclasses import dataclass

from shegong.accounts.models import Role, RoleAssignment, User
from shegong.agencies.models import Agency

CITY = "440100000000"
DISTRICT_A = "440104000000"  # 越秀区
DISTRICT_B = "440105000000"  # 海珠区
STREET_A = "440104003000"  # 北京街道, 越秀区
COMMUNITY_A = "440104003104"  # 流水井社区, 北京街道, 越秀区
OTHER_CITY = "440300000000"  # 深圳市
PASSWORD = "Test@Pass2026"

USERS = {
    "city_admin": ("civil_affairs_admin", CITY),
    "district_a_admin": ("civil_affairs_admin", DISTRICT_A),
    "district_b_admin": ("civil_affairs_admin", DISTRICT_B),
    "station_head_a": ("station_head", STREET_A),
    "worker_b": ("social_worker", DISTRICT_B),
    "agency_admin_a": ("agency_admin", "agency_a"),
    "evaluator": ("evaluator", CITY),
    "system_admin": ("system_admin", CITY),
    "security_admin": ("security_admin", CITY),
    "audit_admin": ("audit_admin", CITY),
    "outsider": ("civil_affairs_admin", OTHER_CITY),
    "no_role": (None, None),
}


@dataclass
class World:
    users: dict[str, User]
    agency_a: Agency
    agency_b: Agency

    def __getattr__(self, name):
        try:
            return self.__dict__["users"][name]
        except KeyError:
            raise AttributeError(name) from None


def build_world() -> World:
    """Create the named users directly (no audit rows, fast hashing): tests of the services create their own."""
    agency_a = Agency.objects.create(
        name="越秀测试社工中心",
        credit_code="52440104MJ0000001" + _check("52440104MJ0000001"),
        region_id=DISTRICT_A,
        legal_form=Agency.LegalForm.SOCIAL_SERVICE,
    )
    agency_b = Agency.objects.create(
        name="海珠测试社工中心",
        credit_code="52440105MJ0000002" + _check("52440105MJ0000002"),
        region_id=DISTRICT_B,
        legal_form=Agency.LegalForm.SOCIAL_SERVICE,
    )
    roles = {role.code: role for role in Role.objects.all()}
    users = {}
    for username, (role_code, where) in USERS.items():
        agency = agency_a if where == "agency_a" else None
        region_id = where if where and where != "agency_a" else None
        user = User(username=username, display_name=username, home_region_id=region_id, home_agency=agency)
        user.set_password(PASSWORD)
        user.save()
        if role_code:
            RoleAssignment.objects.create(user=user, role=roles[role_code], region_id=region_id, agency=agency)
        users[username] = user
    return World(users=users, agency_a=agency_a, agency_b=agency_b)


def _check(body: str) -> str:
    from stdnum.cn import uscc

    return uscc.calc_check_digit(body)
