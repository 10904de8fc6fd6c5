"""Certificate levels and job grades (职业水平证书 and 社会工作岗位等级).

Seed 001 (浙江省, §八 明确社会工作岗位聘用(任)方式): "聘用到高级专业技术岗位的，应具有高级社会工作师职业资格证书；
聘用到中级专业技术岗位的，应具有社会工作师职业资格证书；聘用到初级专业技术岗位的，应具有助理社会工作师职业资格证书。
高级专业技术岗位名称为高级社会工作师一级、二级、三级岗位，分别对应五至七级专业技术岗位；中级……社会工作师一级、二级、
三级岗位，分别对应八至十级专业技术岗位；初级……助理社会工作师一级、二级岗位，分别对应十一、十二级专业技术岗位。"
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CertificateLevel(models.TextChoices):
    ASSISTANT = "assistant", _("助理社会工作师")
    INTERMEDIATE = "intermediate", _("社会工作师")
    SENIOR = "senior", _("高级社会工作师")


# A higher certificate satisfies a lower requirement.
LEVEL_RANK = {CertificateLevel.ASSISTANT: 1, CertificateLevel.INTERMEDIATE: 2, CertificateLevel.SENIOR: 3}


class JobGrade(models.TextChoices):
    SENIOR_1 = "senior_1", _("高级社会工作师一级（专业技术岗位五级）")
    SENIOR_2 = "senior_2", _("高级社会工作师二级（专业技术岗位六级）")
    SENIOR_3 = "senior_3", _("高级社会工作师三级（专业技术岗位七级）")
    INTERMEDIATE_1 = "intermediate_1", _("社会工作师一级（专业技术岗位八级）")
    INTERMEDIATE_2 = "intermediate_2", _("社会工作师二级（专业技术岗位九级）")
    INTERMEDIATE_3 = "intermediate_3", _("社会工作师三级（专业技术岗位十级）")
    ASSISTANT_1 = "assistant_1", _("助理社会工作师一级（专业技术岗位十一级）")
    ASSISTANT_2 = "assistant_2", _("助理社会工作师二级（专业技术岗位十二级）")


# job grade -> (professional-technical post level 5..12, certificate level it requires)
GRADE_FACTS = {
    JobGrade.SENIOR_1: (5, CertificateLevel.SENIOR),
    JobGrade.SENIOR_2: (6, CertificateLevel.SENIOR),
    JobGrade.SENIOR_3: (7, CertificateLevel.SENIOR),
    JobGrade.INTERMEDIATE_1: (8, CertificateLevel.INTERMEDIATE),
    JobGrade.INTERMEDIATE_2: (9, CertificateLevel.INTERMEDIATE),
    JobGrade.INTERMEDIATE_3: (10, CertificateLevel.INTERMEDIATE),
    JobGrade.ASSISTANT_1: (11, CertificateLevel.ASSISTANT),
    JobGrade.ASSISTANT_2: (12, CertificateLevel.ASSISTANT),
}


def required_level(grade: str) -> str:
    return GRADE_FACTS[JobGrade(grade)][1]


def satisfies(held_levels, grade: str) -> bool:
    need = LEVEL_RANK[required_level(grade)]
    return any(LEVEL_RANK[CertificateLevel(level)] >= need for level in held_levels)
