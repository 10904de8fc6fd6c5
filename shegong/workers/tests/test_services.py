"""The write services of the talent pool: identity rules, duplicates, grades and certificates, scope, audit."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shegong.audit.models import AuditEntry
from shegong.core.fields import matching
from shegong.regions.models import Region
from shegong.workers import services
from shegong.workers.grades import CertificateLevel, JobGrade
from shegong.workers.models import Certificate, SocialWorker
from shegong.workers.tests.conftest import employer_kind, id_number

pytestmark = pytest.mark.django_db

STREET_A = "440104003000"
DISTRICT_B = "440105000000"


def region(code):
    return Region.objects.get(pk=code)


def create(world, actor=None, **values):
    values.setdefault("name", "张三")
    values.setdefault("id_number", id_number())
    values.setdefault("region", region(STREET_A))
    if values.get("agency") is None:
        values.setdefault("employer_kind", employer_kind())
        values.setdefault("employer_name", "仓边路社区居委会")
    return services.worker_create(actor=actor or world.city_admin, **values)


def test_create_derives_birth_date_sex_initials_and_province_and_audits(world, domains):
    number = id_number(birth="19880521", sequence=13)
    worker = create(world, name="李小龙", id_number=number, phone="138-0013-8000", service_domains=domains[:2])
    worker.refresh_from_db()
    assert (worker.birth_date, worker.sex) == (datetime.date(1988, 5, 21), "M")
    assert worker.name_initials == "lxl"
    assert worker.province_code == "44"
    assert worker.phone == "13800138000"
    assert set(worker.service_domains.all()) == set(domains[:2])
    assert matching(SocialWorker.objects, "id_number", number.lower()).get() == worker
    entry = AuditEntry.objects.filter(action="create", object_type="workers.socialworker").latest("sequence")
    assert entry.object_id == str(worker.pk) and entry.actor_username == "city_admin"
    assert number not in str(entry.changes)  # the ID number is masked in the audit log
    assert entry.changes["id_number"][1] == number[:6] + "********" + number[-4:]


def test_an_agency_worker_defaults_to_the_agency_region(world):
    worker = create(world, region=None, agency=world.agency_a)
    assert worker.region_id == world.agency_a.region_id


def test_a_worker_needs_an_employer_and_a_region(world):
    with pytest.raises(ValidationError) as caught:
        services.worker_create(actor=world.city_admin, name="王五", id_number=id_number(), region=None)
    assert {"region", "employer_kind"} <= set(caught.value.message_dict)
    with pytest.raises(ValidationError) as caught:
        create(world, agency=world.agency_a, employer_kind=employer_kind(), employer_name="别处")
    assert "二选一" in caught.value.message_dict["employer_kind"][0]
    with pytest.raises(ValidationError) as caught:
        create(world, region=region("440100000000"))
    assert "区县" in caught.value.message_dict["region"][0]


def test_invalid_id_number_is_refused_on_its_field(world):
    number = id_number()
    with pytest.raises(ValidationError) as caught:
        create(world, id_number=number[:-1] + ("1" if number[-1] == "0" else "0"))
    assert "校验位" in caught.value.message_dict["id_number"][0]
    assert not SocialWorker.objects.exists()


def test_a_duplicate_id_number_is_refused_naming_nothing_of_the_other_record(world):
    number = id_number()
    create(world, name="赵六", id_number=number, region=region(DISTRICT_B))
    with pytest.raises(ValidationError) as caught:
        create(world, name="另一人", id_number=number.lower())
    message = caught.value.message_dict["id_number"][0]
    assert "已在人才库中登记" in message
    assert "赵六" not in message and "海珠" not in message and number not in message
    assert SocialWorker.objects.count() == 1


def test_scope_decides_where_one_may_register(world):
    with pytest.raises(ValidationError) as caught:
        create(world, actor=world.district_a_admin, region=region(DISTRICT_B))
    assert "管辖范围" in caught.value.messages[0]
    assert not SocialWorker.objects.exists()
    assert create(world, actor=world.district_a_admin).region_id == STREET_A
    # An agency admin registers the agency's own staff only.
    assert create(world, actor=world.agency_admin_a, region=None, agency=world.agency_a).agency == world.agency_a
    with pytest.raises(ValidationError):
        create(world, actor=world.agency_admin_a, region=None, agency=world.agency_b)
    with pytest.raises(PermissionDenied):
        create(world, actor=world.worker_b)


def test_update_revalidates_the_id_number_and_moves_with_the_agency(world):
    worker = create(world)
    other = create(world, name="钱七")
    services.worker_update(actor=world.city_admin, worker=worker, id_number=id_number(birth="19791108", sequence=24))
    worker.refresh_from_db()
    assert (worker.birth_date, worker.sex) == (datetime.date(1979, 11, 8), "F")
    with pytest.raises(ValidationError) as caught:
        services.worker_update(actor=world.city_admin, worker=other, id_number=worker.id_number)
    assert "已在人才库中登记" in caught.value.message_dict["id_number"][0]
    services.worker_update(actor=world.city_admin, worker=worker, agency=world.agency_b)
    worker.refresh_from_db()
    assert worker.region_id == world.agency_b.region_id and worker.employer_kind == ""
    assert AuditEntry.objects.filter(action="update", object_id=str(worker.pk)).count() == 2


def test_out_of_scope_update_is_refused_and_moving_out_of_scope_too(world):
    worker = create(world, region=region(DISTRICT_B))
    with pytest.raises(PermissionDenied):
        services.worker_update(actor=world.district_a_admin, worker=worker, name="改名")
    mine = create(world)
    with pytest.raises(ValidationError):
        services.worker_update(actor=world.district_a_admin, worker=mine, region=region(DISTRICT_B))
    mine.refresh_from_db()
    assert mine.region_id == STREET_A


def test_a_grade_needs_the_matching_certificate(world):
    worker = create(world)
    with pytest.raises(ValidationError) as caught:
        services.worker_set_grade(actor=world.city_admin, worker=worker, job_grade=JobGrade.INTERMEDIATE_2)
    message = caught.value.message_dict["job_grade"][0]
    assert "社会工作师" in message and "证书" in message
    services.certificate_add(
        actor=world.city_admin, worker=worker, level=CertificateLevel.ASSISTANT, number="zs-2015-001", year_passed=2015
    )
    with pytest.raises(ValidationError):
        services.worker_set_grade(actor=world.city_admin, worker=worker, job_grade=JobGrade.INTERMEDIATE_2)
    services.worker_set_grade(actor=world.city_admin, worker=worker, job_grade=JobGrade.ASSISTANT_1)
    services.certificate_add(
        actor=world.city_admin, worker=worker, level=CertificateLevel.SENIOR, number="GJ-2022-9", year_passed=2022
    )
    # A higher certificate satisfies a lower requirement.
    services.worker_set_grade(actor=world.city_admin, worker=worker, job_grade=JobGrade.INTERMEDIATE_2)
    worker.refresh_from_db()
    assert worker.job_grade == JobGrade.INTERMEDIATE_2 and worker.highest_certificate == CertificateLevel.SENIOR


def test_removing_the_certificate_a_grade_depends_on_is_refused(world):
    worker = create(world)
    assistant = services.certificate_add(
        actor=world.city_admin, worker=worker, level=CertificateLevel.ASSISTANT, number="A-1", year_passed=2016
    )
    middle = services.certificate_add(
        actor=world.city_admin, worker=worker, level=CertificateLevel.INTERMEDIATE, number="M-1", year_passed=2019
    )
    services.worker_set_grade(actor=world.city_admin, worker=worker, job_grade=JobGrade.INTERMEDIATE_3)
    services.certificate_remove(actor=world.city_admin, certificate=assistant)  # not needed by the grade
    with pytest.raises(ValidationError) as caught:
        services.certificate_remove(actor=world.city_admin, certificate=middle)
    assert "不能删除" in caught.value.messages[0] and "社会工作师" in caught.value.messages[0]
    assert Certificate.objects.filter(pk=middle.pk).exists()
    worker.refresh_from_db()
    assert worker.highest_certificate == CertificateLevel.INTERMEDIATE
    services.worker_set_grade(actor=world.city_admin, worker=worker, job_grade="")
    services.certificate_remove(actor=world.city_admin, certificate=middle)
    worker.refresh_from_db()
    assert worker.highest_certificate == ""
    assert AuditEntry.objects.filter(action="delete", object_type="workers.certificate").count() == 2


def test_certificate_rules(world):
    worker = create(world)
    services.certificate_add(actor=world.city_admin, worker=worker, level="assistant", number="x-9", year_passed=2018)
    other = create(world, name="孙八")
    with pytest.raises(ValidationError) as caught:
        services.certificate_add(
            actor=world.city_admin, worker=other, level="assistant", number="X-9", year_passed=2018
        )
    assert "number" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.certificate_add(
            actor=world.city_admin, worker=worker, level="assistant", number="Y-1", year_passed=2019
        )
    assert "level" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.certificate_add(actor=world.city_admin, worker=other, level="senior", number="Z-1", year_passed=2005)
    assert "year_passed" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        services.certificate_add(
            actor=world.district_b_admin, worker=other, level="senior", number="Z-2", year_passed=2020
        )


def test_link_account(world):
    worker = create(world, region=region(DISTRICT_B))
    services.worker_link_account(actor=world.city_admin, worker=worker, account=world.worker_b)
    assert SocialWorker.objects.get(account=world.worker_b) == worker
    other = create(world, name="周九")
    with pytest.raises(ValidationError):
        services.worker_link_account(actor=world.city_admin, worker=other, account=world.worker_b)


def test_the_duplicate_refusal_carries_a_code_for_callers(world):
    number = id_number()
    create(world, id_number=number)
    with pytest.raises(ValidationError) as caught:
        create(world, id_number=number)
    assert caught.value.error_dict["id_number"][0].code == services.DUPLICATE_ID
