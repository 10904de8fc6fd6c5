"""Demo: a few agencies registered in the demo city (the registries issue adds the full talent pool)."""

from stdnum.cn import uscc

from shegong.agencies.models import Agency

DEMO_AGENCIES = [
    ("广州市越秀区启智社会工作服务中心", "440104000000", Agency.LegalForm.SOCIAL_SERVICE),
    ("广州市海珠区同心社会工作服务中心", "440105000000", Agency.LegalForm.SOCIAL_SERVICE),
    ("广州市天河区阳光社会工作发展协会", "440106000000", Agency.LegalForm.SOCIAL_GROUP),
]


def demo_credit_code(serial: int) -> str:
    """A checksum-valid 统一社会信用代码: 52 (民政, 社会服务机构) + 440100 + an organisation code + check digit."""
    body = f"52440100MJ{serial:07d}"
    return body + uscc.calc_check_digit(body)


def load(context: dict) -> None:
    agencies = []
    for serial, (name, region_code, legal_form) in enumerate(DEMO_AGENCIES, start=1):
        agency, _created = Agency.objects.get_or_create(
            credit_code=demo_credit_code(serial),
            defaults={"name": name, "region_id": region_code, "legal_form": legal_form},
        )
        agencies.append(agency)
    context["agencies"] = agencies
