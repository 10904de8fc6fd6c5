"""Importing an official NBS file: the accepted format, derived levels and parents, the class code, bad lines."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shegong.audit.models import AuditEntry
from shegong.regions import nbs, services
from shegong.regions.models import Region

pytestmark = pytest.mark.django_db

GOOD_TSV = """统计用区划代码\t城乡分类代码\t名称
440000000000\t\t广东省
441900000000\t\t东莞市
441900003000\t\t东城街道
441900003001\t111\t东城社区居委会
441900003002\t220\t新河村委会
441900003999\t112\t某某生活区
440104003104\t112\t流水井社区居委会
"""


def write(tmp_path, text: str, name: str = "nbs.tsv", encoding: str = "utf-8") -> object:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_good_file_derives_levels_parents_and_classes(tmp_path):
    result = services.regions_import_nbs(path=write(tmp_path, GOOD_TSV))
    assert result.read == {1: 1, 2: 1, 4: 1, 5: 4}
    assert result.created == 4  # the township and three villages of 东莞; the rest exist already
    assert result.updated == 1  # 流水井: its official class code now
    town = Region.objects.get(code="441900003000")
    assert (town.level, town.parent_id, town.area_class) == (4, "441900000000", "urban")  # 东莞: no county level
    village = Region.objects.get(code="441900003002")
    assert (village.level, village.parent_id) == (5, "441900003000")
    assert (village.urban_rural_code, village.area_class) == ("220", "rural")
    # The class code wins over the name: 生活区 says nothing, 112 says urban.
    assert Region.objects.get(code="441900003999").area_class == "urban"
    assert Region.objects.get(code="440104003104").urban_rural_code == "112"


def test_reimport_writes_nothing(tmp_path):
    path = write(tmp_path, GOOD_TSV)
    services.regions_import_nbs(path=path)
    again = services.regions_import_nbs(path=path)
    assert (again.created, again.updated) == (0, 0)


def test_parent_may_be_in_the_database_and_the_file_in_any_order(tmp_path):
    text = "名称,统计用区划代码,城乡分类代码,级别\n新社区居委会,440104003901,111,5\n北京街道,440104003000,,乡级\n"
    result = services.regions_import_nbs(path=write(tmp_path, text, "nbs.csv"))
    assert (result.created, result.updated) == (1, 0)
    assert Region.objects.get(code="440104003901").parent_id == "440104003000"


def test_gb18030_file_with_english_headers(tmp_path):
    text = "code,class,name\r\n441900003000,,东城街道\r\n441900003001,111,东城社区居委会\r\n"
    services.regions_import_nbs(path=write(tmp_path, text, "nbs.csv", encoding="gb18030"))
    assert Region.objects.get(code="441900003001").name == "东城社区居委会"


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeff统计用区划代码,城乡分类代码,名称\n441900003000,,东城街道\n".encode())
    services.regions_import_nbs(path=path)
    assert Region.objects.filter(code="441900003000").exists()


BAD_LINES = [
    ("4401040031,111,短代码", "第 2 行：区划代码“4401040031”应为 12 位数字"),
    ("44010400310a,111,字母", "第 2 行：区划代码“44010400310a”应为 12 位数字"),
    ("440104003901,111,", "第 2 行：名称不能为空"),
    ("440104003901,999,某社区", "第 2 行：城乡分类代码“999”无效"),
    ("440104003901,,某社区", "第 2 行：村级区划必须填写城乡分类代码"),
    ("000000000001,220,某村", "第 2 行：区划代码 000000000001 的省级代码段不能为 00"),
    ("440104003901,111," + "长" * 101, "第 2 行：名称超过 100 个字"),
    ("990101001001,220,无上级村", "第 2 行：找不到区划代码 990101001001 的上级"),
    ("440104003901,111", "第 2 行：应至少有 3 列，实际只有 2 列"),
]


@pytest.mark.parametrize(("line", "message"), BAD_LINES)
def test_bad_line_is_reported_in_chinese_with_its_number(tmp_path, line, message):
    path = write(tmp_path, f"统计用区划代码,城乡分类代码,名称\n{line}\n", "bad.csv")
    with pytest.raises(nbs.NbsFileError) as caught:
        services.regions_import_nbs(path=path)
    assert any(text.startswith(message) for text in caught.value.messages), caught.value.messages


def test_level_column_must_agree_with_the_code(tmp_path):
    text = "统计用区划代码,城乡分类代码,名称,级别\n441900000000,,东莞市,3\n441900003000,,东城街道,六\n"
    with pytest.raises(nbs.NbsFileError) as caught:
        services.regions_import_nbs(path=write(tmp_path, text, "levels.csv"))
    assert caught.value.messages[0] == "第 2 行：区划代码 441900000000 是地级代码，与级别“3”不符。"
    assert caught.value.messages[1].startswith("第 3 行：级别“六”无效")


def test_duplicate_code_names_the_first_line(tmp_path):
    text = "统计用区划代码\t城乡分类代码\t名称\n441900003000\t\t东城街道\n\n441900003000\t\t又一个\n"
    with pytest.raises(nbs.NbsFileError) as caught:
        services.regions_import_nbs(path=write(tmp_path, text))
    assert caught.value.messages == ["第 4 行：区划代码 441900003000 与第 2 行重复。"]


def test_all_or_nothing_every_bad_line_listed_and_nothing_written(tmp_path):
    text = GOOD_TSV + "4419000030\t111\t坏行一\n441900003005\t300\t坏行二\n"
    before = Region.objects.count()
    audit_before = AuditEntry.objects.count()
    with pytest.raises(nbs.NbsFileError) as caught:
        services.regions_import_nbs(path=write(tmp_path, text))
    assert caught.value.error_count == 2
    assert caught.value.messages[0].startswith("第 9 行：")
    assert caught.value.messages[1].startswith("第 10 行：")
    assert "未写入任何数据" in caught.value.summary
    assert Region.objects.count() == before
    assert not Region.objects.filter(code="441900003001").exists()
    assert AuditEntry.objects.count() == audit_before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "文件是空的"),
        ("区划代码,名称\n440000000000,广东省\n", "第 1 行（表头）缺少必需的列：城乡分类代码"),
        ("统计用区划代码,城乡分类代码,名称\n", "文件里只有表头"),
    ],
)
def test_unusable_files(tmp_path, text, message):
    with pytest.raises(nbs.NbsFileError) as caught:
        services.regions_import_nbs(path=write(tmp_path, text, "x.csv"))
    assert caught.value.messages[0].startswith(message)


def test_unreadable_encoding_and_missing_file(tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(b"\xff\xfe\xfa\x80\x81" * 10)
    with pytest.raises(nbs.NbsFileError, match="导入失败"):
        services.regions_import_nbs(path=path)
    with pytest.raises(nbs.NbsFileError) as caught:
        services.regions_import_nbs(path=tmp_path / "missing.csv")
    assert caught.value.messages[0].startswith("无法读取文件")


def test_long_error_lists_are_cut_with_a_count(tmp_path):
    lines = "".join(f"12345,111,坏{index}\n" for index in range(250))
    with pytest.raises(nbs.NbsFileError) as caught:
        services.regions_import_nbs(path=write(tmp_path, "统计用区划代码,城乡分类代码,名称\n" + lines, "many.csv"))
    assert caught.value.error_count == 250
    assert len(caught.value.messages) == nbs.ERRORS_SHOWN + 1
    assert caught.value.messages[-1] == "……另有 50 处错误未列出"


def test_command_imports_and_reports(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    call_command("regions", "import-nbs", str(write(tmp_path, GOOD_TSV)), stdout=out, stderr=err)
    assert "created 4, updated 1" in out.getvalue()
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert (entry.action, entry.actor_username, entry.object_id) == ("import", "shegong regions import-nbs", "nbs.tsv")


def test_command_lists_bad_lines_and_fails(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    path = write(tmp_path, "统计用区划代码,城乡分类代码,名称\n12,111,坏\n", "bad.csv")
    with pytest.raises(CommandError, match="导入失败：发现 1 处错误"):
        call_command("regions", "import-nbs", str(path), stdout=out, stderr=err)
    assert "第 2 行：区划代码“12”应为 12 位数字" in err.getvalue()


def test_command_help_documents_the_format():
    from shegong.regions.management.commands.regions import Command

    parser = Command().create_parser("shegong", "regions")
    sub = next(action for action in parser._actions if action.dest == "action")
    help_text = sub.choices["import-nbs"].format_help()
    for needle in ("统计用区划代码", "城乡分类代码", "GB18030", "TSV", "All or nothing", "东莞市"):
        assert needle in help_text
