"""Excel imports of workers and certificates through the tabular framework: good files, every kind of bad row,
duplicates inside the file and against the database, scope, both modes, and nothing ever half-written."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook
from stdnum.cn import uscc

from shegong.audit.models import AuditEntry
from shegong.core.fields import blind_index_for
from shegong.tabular import services as tabular
from shegong.tabular import spec as specs
from shegong.tabular import workbooks
from shegong.tabular.models import ImportJob
from shegong.workers import services
from shegong.workers.imports import CertificateImport, WorkerImport
from shegong.workers.models import Certificate, SocialWorker
from shegong.workers.tests.conftest import id_number

pytestmark = pytest.mark.django_db

HEADERS = [str(column.header) for column in WorkerImport.columns]
UNKNOWN_AGENCY = "91440101MA59UNKN0" + uscc.calc_check_digit("91440101MA59UNKN0")


@pytest.fixture(autouse=True)
def setup(settings, tmp_path):
    settings.TASKS_MODE = "immediate"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


def workbook(rows: list[dict], headers=HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    columns = WorkerImport.columns if headers == HEADERS else CertificateImport.columns
    keys = {str(column.header): column.key for column in columns}
    for row in rows:
        sheet.append([row.get(keys.get(header, header)) for header in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(world, captured, data: bytes, *, kind="workers", mode=ImportJob.Mode.ALL_OR_NOTHING, actor=None) -> ImportJob:
    with captured(execute=True):
        job = tabular.import_start(
            actor=actor or world.city_admin, kind=kind, upload=SimpleUploadedFile("f.xlsx", data), mode=mode
        )
    job.refresh_from_db()
    return job


def report(job) -> list[tuple]:
    return list(load_workbook(job.report.open("rb")).worksheets[0].iter_rows(values_only=True))[1:]


def good_rows(world, domains) -> list[dict]:
    return [
        {
            "name": "张三",
            "id_number": id_number(birth="19900101", sequence=11),
            "phone": "138 0013 8000",
            "education": "大学本科",
            "major_social_work": "是",
            "agency": world.agency_a.credit_code,
            "post_type": "专业社工岗",
            "job_grade": "社会工作师三级",
            "service_domains": f"{domains[0].name}、{domains[1].name}",
            "certificate_level": "社会工作师",
            "certificate_number": "sg-2019-001",
            "certificate_year": 2019,
            "certificate_authority": "人力资源社会保障部",
        },
        {
            "name": "李四",
            "id_number": id_number(birth="19851212", sequence=22),
            "region": "440104003104",
            "employer_kind": "社区",
            "employer_name": "流水井社区居委会",
            "post_type": "行政辅助岗",
        },
    ]


def test_the_template_lists_every_column_with_an_example(world):
    book = load_workbook(io.BytesIO(workbooks.template(specs.get("workers"))))
    header = [cell.value for cell in book.worksheets[0][1]]
    assert header[:2] == ["姓名*", "身份证号*"] and "岗位等级" in header and "证书编号" in header
    assert book.worksheets[0]["B2"].value == "440104199001010010"
    assert specs.get("certificates") is not None


def test_a_good_file_is_written_whole_encrypted_and_audited(
    world, domains, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("shegong.workers.imports.ANALYZE_AFTER", 1)  # statistics refreshed in the transaction too
    rows = good_rows(world, domains)
    job = run(world, django_capture_on_commit_callbacks, workbook(rows))
    assert (job.status, job.written_rows, job.error_rows) == ("done", 2, 0), job.message
    zhang = SocialWorker.objects.get(name="张三")
    # bulk_create ran the fields' pre_save: sealed ID and phone, keyed hashes filled, readable again.
    assert zhang.id_number == rows[0]["id_number"] and zhang.phone == "13800138000"
    assert zhang.id_number_index == blind_index_for(SocialWorker, "id_number", rows[0]["id_number"])
    assert zhang.phone_index == blind_index_for(SocialWorker, "phone", "13800138000")
    raw = SocialWorker.objects.filter(pk=zhang.pk).values_list("id_number", flat=True)
    with __import__("django").db.connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM workers_socialworker WHERE id = %s", [zhang.pk])
        assert cursor.fetchone()[0].startswith("v1:") and list(raw)
    assert (zhang.region_id, zhang.agency, zhang.province_code) == (world.agency_a.region_id, world.agency_a, "44")
    assert (zhang.name_initials, zhang.sex, zhang.major_social_work) == ("zs", "M", True)
    assert (zhang.job_grade, zhang.highest_certificate) == ("intermediate_3", "intermediate")
    assert zhang.certificates.get().number == "SG-2019-001"
    assert set(zhang.service_domains.all()) == set(domains[:2])
    li = SocialWorker.objects.get(name="李四")
    assert (li.region_id, li.agency, li.employer_kind != "", li.sex) == ("440104003104", None, True, "F")
    assert AuditEntry.objects.filter(action="import", object_id=str(job.pk)).count() == 2


def test_bad_rows_are_reported_and_all_or_nothing_writes_nothing(world, domains, django_capture_on_commit_callbacks):
    existing = services.worker_create(
        actor=None,
        name="已登记",
        id_number=id_number(sequence=55),
        region=world.agency_b.region,
        agency=world.agency_b,
    )
    services.certificate_add(actor=None, worker=existing, level="assistant", number="OLD-1", year_passed=2017)
    good = good_rows(world, domains)
    base = {"region": "440104003104", "employer_kind": "社区", "employer_name": "某社区"}
    number = id_number(sequence=66)
    bad = [
        {**base, "name": "校验错", "id_number": number[:-1] + ("1" if number[-1] == "0" else "0")},
        {**base, "name": "无证定级", "id_number": id_number(sequence=67), "job_grade": "助理社会工作师二级"},
        {"name": "未知机构", "id_number": id_number(sequence=68), "agency": UNKNOWN_AGENCY},
        {**base, "name": "文件内重复", "id_number": good[1]["id_number"]},
        {**base, "name": "库内重复", "id_number": existing.id_number},
        {
            **base,
            "name": "证书重复",
            "id_number": id_number(sequence=69),
            "certificate_level": "助理社会工作师",
            "certificate_number": "old-1",
            "certificate_year": 2018,
        },
        {**base, "name": "区划不存在", "id_number": id_number(sequence=70), "region": "440104999999"},
        {**base, "name": "领域不存在", "id_number": id_number(sequence=71), "service_domains": "火星救援"},
        {**base, "name": "缺证书号", "id_number": id_number(sequence=72), "certificate_level": "社会工作师"},
    ]
    before = SocialWorker.objects.count()
    job = run(world, django_capture_on_commit_callbacks, workbook(good + bad))
    assert job.status == "rejected" and job.error_rows == len(bad) and job.written_rows == 0
    assert SocialWorker.objects.count() == before
    reasons = {row[1]: row[-1] for row in report(job)}
    assert "校验位" in reasons["校验错"]
    assert "岗位等级" in reasons["无证定级"] and "助理社会工作师" in reasons["无证定级"]
    assert "未在系统中登记" in reasons["未知机构"]
    assert "与文件第 3 行重复" in reasons["文件内重复"]
    assert "已在人才库中登记" in reasons["库内重复"]
    assert "OLD-1 已登记过" in reasons["证书重复"]
    assert "没有代码为" in reasons["区划不存在"]
    assert "火星救援" in reasons["领域不存在"]
    assert "一并填写" in reasons["缺证书号"]


def test_good_rows_mode_writes_only_the_good_ones(world, domains, django_capture_on_commit_callbacks):
    rows = [*good_rows(world, domains), {"name": "坏行", "id_number": "123"}]
    job = run(world, django_capture_on_commit_callbacks, workbook(rows), mode=ImportJob.Mode.GOOD_ROWS)
    assert (job.status, job.written_rows, job.error_rows) == ("done", 2, 1)
    assert set(SocialWorker.objects.values_list("name", flat=True)) == {"张三", "李四"}


def test_rows_outside_the_importers_scope_are_refused(world, domains, django_capture_on_commit_callbacks):
    base = {"employer_kind": "社区", "employer_name": "某社区"}
    rows = [
        {**base, "name": "越秀人", "id_number": id_number(sequence=81), "region": "440104003104"},
        {**base, "name": "海珠人", "id_number": id_number(sequence=82), "region": "440105000000"},
        {"name": "乙机构人", "id_number": id_number(sequence=83), "agency": world.agency_b.credit_code},
    ]
    job = run(world, django_capture_on_commit_callbacks, workbook(rows), actor=world.district_a_admin, mode="good_rows")
    assert job.written_rows == 1
    assert {row[1] for row in report(job)} == {"海珠人", "乙机构人"}
    assert all("管辖范围" in row[-1] for row in report(job))
    # An agency admin imports their own agency's staff only.
    rows = [
        {"name": "甲机构人", "id_number": id_number(sequence=84), "agency": world.agency_a.credit_code},
        {**base, "name": "社区人", "id_number": id_number(sequence=85), "region": "440104003104"},
    ]
    job = run(world, django_capture_on_commit_callbacks, workbook(rows), actor=world.agency_admin_a, mode="good_rows")
    assert job.written_rows == 1 and [row[1] for row in report(job)] == ["社区人"]


def test_a_failure_while_writing_leaves_nothing_behind(world, domains, django_capture_on_commit_callbacks, monkeypatch):
    def fail(*args, **kwargs):
        raise __import__("django").db.IntegrityError("simulated failure after the workers were inserted")

    monkeypatch.setattr("shegong.workers.imports.insert_plain", fail)  # runs after the workers are inserted
    job = run(world, django_capture_on_commit_callbacks, workbook(good_rows(world, domains)))
    assert job.status == "failed" and "已全部撤销" in job.message
    assert not SocialWorker.objects.exists()


def test_certificates_import(world, make_worker, django_capture_on_commit_callbacks):
    mine = make_worker(name="证书人")
    elsewhere = make_worker(name="海珠证书人", region="440105000000")
    services.certificate_add(actor=None, worker=mine, level="assistant", number="A-1", year_passed=2016)
    headers = [str(column.header) for column in CertificateImport.columns]
    rows = [
        {"id_number": mine.id_number, "level": "社会工作师", "number": "m-2020-1", "year": 2020, "authority": "人社部"},
        {"id_number": mine.id_number, "level": "助理社会工作师", "number": "A-2", "year": 2017},
        {"id_number": elsewhere.id_number, "level": "社会工作师", "number": "M-2020-2", "year": 2020},
        {"id_number": id_number(sequence=91), "level": "社会工作师", "number": "M-2020-3", "year": 2020},
        {"id_number": mine.id_number, "level": "高级社会工作师", "number": "M-2020-1", "year": 2022},
    ]
    job = run(
        world,
        django_capture_on_commit_callbacks,
        workbook(rows, headers),
        kind="certificates",
        actor=world.district_a_admin,
        mode="good_rows",
    )
    assert job.written_rows == 1, job.message
    mine.refresh_from_db()
    assert mine.highest_certificate == "intermediate"
    assert Certificate.objects.get(number="M-2020-1").worker == mine
    reasons = [row[-1] for row in report(job)]
    assert "已登记过助理社会工作师证书" in reasons[0]
    assert "不在您的管辖范围内" in reasons[1] and "不在您的管辖范围内" in reasons[2]
    assert "与文件第 2 行重复" in reasons[3]
