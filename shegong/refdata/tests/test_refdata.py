"""Reference data: the shipped dictionaries, selectors and form fields, audited edits, pages and API."""

import re

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shegong.audit.models import AuditEntry
from shegong.refdata import selectors, services
from shegong.refdata.forms import DictionaryChoiceField, DictionaryMultipleChoiceField
from shegong.refdata.models import Dictionary, DictionaryItem
from shegong.refdata.seed import DICTIONARIES, install_dictionaries
from shegong.testing.matrix import assert_matrix
from shegong.web.navigation import items_for

pytestmark = pytest.mark.django_db

SHENZHEN_16 = (
    "社会福利、社会救助、慈善事业、社区建设、婚姻家庭、精神卫生、残障康复、教育辅导、"
    "就业援助、职工帮扶、犯罪预防、禁毒戒毒、矫治帮教、卫生健康、纠纷调解、应急处置"
)
ZHEJIANG_16 = (
    "社会福利、社会救助、扶贫济困、慈善事业、社区建设、教育辅导、社区矫正、安置帮教、"
    "就业援助、医患关系、精神卫生、禁毒戒毒、职工帮扶、青少年事务、婚姻家庭、残障康复"
)
RECIPIENTS_20 = (
    "低保, 低边, 特困, 困境儿童, 留守老人, 孤寡, 重度残疾, 独居, 支出型困难家庭, 残疾人, "
    "流浪乞讨, 留守儿童, 单身特困母亲, 留守妇女, 空巢, 失能, 重残, 计生特殊家庭, 孤儿, 事实无人抚养儿童"
)
NO_VIEW = {"anonymous": 302, "no_role": 403, "audit_admin": 403}


def names(code):
    return [item.name for item in selectors.items(code)]


# --- Seed ------------------------------------------------------------------------------------------------------------


def test_the_shipped_dictionaries_are_installed_with_stable_ascii_codes():
    assert set(Dictionary.objects.values_list("code", flat=True)) == {spec.code for spec in DICTIONARIES}
    for item in DictionaryItem.objects.all():
        assert re.fullmatch(r"[a-z0-9_]+", item.code), item.code
    assert set(SHENZHEN_16.split("、")) | set(ZHEJIANG_16.split("、")) == set(names("service_domain"))
    assert len(names("service_domain")) == 21
    assert names("recipient_category") == RECIPIENTS_20.split(", ")
    assert names("post_type") == ["专业社工岗", "行政辅助岗", "督导岗"]
    assert names("certificate_level") == ["助理社会工作师", "社会工作师", "高级社会工作师"]
    assert names("funding_source") == ["财政预算", "彩票公益金", "社会捐赠", "服务收费"]
    assert names("budget_line") == ["人员", "活动", "管理", "其他"]
    assert {"安全管理", "标准化建设", "特殊困难人群服务", "财务管理"} <= set(names("inspection_checklist"))
    assert {"社区", "事业单位", "党政机关", "群团组织", "企业"} <= set(names("employer_kind"))
    assert {"民政", "残联", "妇联", "法律援助", "公安", "司法", "卫健"} <= set(names("referral_department"))
    assert len(names("volunteer_skill")) >= 10 and names("education_level")[0] == "博士研究生"


def test_each_domain_notes_its_source():
    assert "浙江" in selectors.item("service_domain", "youth_affairs").source
    assert "深圳" not in selectors.item("service_domain", "youth_affairs").source
    assert "深圳" in selectors.item("service_domain", "emergency_response").source
    both = selectors.item("service_domain", "social_welfare").source
    assert "深圳" in both and "浙江" in both


def test_the_certificate_level_codes_match_the_continuing_education_rule():
    from shegong.policies.kinds.talent import CERTIFICATE_LEVELS

    assert [code for code, _label in CERTIFICATE_LEVELS] == [
        code for code, _name in selectors.choices("certificate_level")
    ]


def test_installing_again_keeps_an_administrators_edits():
    item = selectors.item("post_type", "supervisor")
    item.name, item.is_active, item.sort_order = "督导岗位", False, 1
    item.save()
    DictionaryItem.objects.filter(dictionary__code="post_type", code="admin_support").delete()
    assert install_dictionaries() == (0, 1)
    item.refresh_from_db()
    assert (item.name, item.is_active, item.sort_order) == ("督导岗位", False, 1)
    # The missing item is back, after the existing ones.
    assert [row.code for row in selectors.items("post_type", active_only=False)] == [
        "supervisor",
        "professional",
        "admin_support",
    ]
    assert install_dictionaries() == (0, 0)


# --- Selectors and form fields ---------------------------------------------------------------------------------------


def test_selectors():
    assert selectors.choices("post_type") == [
        ("professional", "专业社工岗"),
        ("admin_support", "行政辅助岗"),
        ("supervisor", "督导岗"),
    ]
    assert selectors.label("post_type", "supervisor") == "督导岗"
    assert selectors.label("post_type", "gone") == "gone"
    assert selectors.labels("budget_line")["personnel"] == "人员"
    with pytest.raises(DictionaryItem.DoesNotExist):
        selectors.item("post_type", "gone")
    assert list(selectors.items("no_such_dictionary")) == []


class PostForm(forms.Form):
    post = DictionaryChoiceField("post_type", label="岗位")
    skills = DictionaryMultipleChoiceField("volunteer_skill", label="技能", required=False)


def test_form_fields_offer_active_items_read_when_used():
    form = PostForm({"post": "supervisor", "skills": ["tutoring", "first_aid"]})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"post": "supervisor", "skills": ["tutoring", "first_aid"]}
    DictionaryItem.objects.filter(dictionary__code="post_type", code="supervisor").update(is_active=False)
    DictionaryItem.objects.create(dictionary=Dictionary.objects.get(code="post_type"), code="intern", name="实习岗")
    form = PostForm({"post": "supervisor"})
    assert not form.is_valid() and "post" in form.errors
    assert PostForm({"post": "intern"}).is_valid()
    assert ("intern", "实习岗") in list(PostForm().fields["post"].choices)
    assert not PostForm({"post": "intern", "skills": ["flying"]}).is_valid()


# --- Services --------------------------------------------------------------------------------------------------------


def last_entry():
    return AuditEntry.objects.order_by("-sequence").first()


def test_only_the_system_admin_changes_dictionaries(world):
    domain = Dictionary.objects.get(code="service_domain")
    for name in ("city_admin", "security_admin", "worker_b"):
        with pytest.raises(PermissionDenied):
            services.item_create(actor=world.users[name], dictionary=domain, code="x", name="x")
    item = services.item_create(actor=world.system_admin, dictionary=domain, code="elderly_care", name="养老服务")
    assert item.sort_order > selectors.item("service_domain", "youth_affairs").sort_order
    entry = last_entry()
    assert entry.action == AuditEntry.Action.CREATE and entry.changes["code"] == [None, "elderly_care"]


def test_item_validation(world):
    domain = Dictionary.objects.get(code="service_domain")
    with pytest.raises(ValidationError) as caught:
        services.item_create(actor=world.system_admin, dictionary=domain, code="youth_affairs", name="重复")
    assert "已被本字典使用" in caught.value.message_dict["code"][0]
    with pytest.raises(ValidationError) as caught:
        services.item_create(actor=world.system_admin, dictionary=domain, code="养老", name="养老")
    assert "code" in caught.value.message_dict


def test_edits_are_audited_and_the_code_never_changes(world):
    item = selectors.item("budget_line", "other")
    services.item_update(actor=world.system_admin, item=item, name="其他支出", description="杂项")
    item.refresh_from_db()
    assert (item.code, item.name) == ("other", "其他支出")
    assert last_entry().changes == {"description": ["", "杂项"], "name": ["其他", "其他支出"]}
    services.item_set_active(actor=world.system_admin, item=item, active=False)
    assert last_entry().changes == {"is_active": ["True", "False"]}
    assert "other" not in dict(selectors.choices("budget_line"))
    dictionary = Dictionary.objects.get(code="budget_line")
    services.dictionary_update(actor=world.system_admin, dictionary=dictionary, name="预算科目（项目）")
    assert last_entry().object_type == "refdata.dictionary"


def test_moving_an_item_renumbers_and_audits(world):
    item = selectors.item("post_type", "supervisor")
    services.item_move(actor=world.system_admin, item=item, offset=-1)
    assert [row.code for row in selectors.items("post_type")] == ["professional", "supervisor", "admin_support"]
    assert last_entry().changes["sort_order"][1] in ("20", "30")
    first = selectors.item("post_type", "professional")
    services.item_move(actor=world.system_admin, item=first, offset=-1)  # already first: nothing moves
    assert [row.code for row in selectors.items("post_type")] == ["professional", "supervisor", "admin_support"]
    with pytest.raises(ValidationError):
        services.item_move(actor=world.system_admin, item=first, offset=2)


# --- Pages -----------------------------------------------------------------------------------------------------------


def test_page_matrix(client, world):
    for url in (reverse("refdata:dictionary_list"), reverse("refdata:dictionary_detail", args=["service_domain"])):
        assert_matrix(client, world, url, NO_VIEW, default=200)
    for url in (
        reverse("refdata:dictionary_edit", args=["service_domain"]),
        reverse("refdata:item_create", args=["service_domain"]),
        reverse("refdata:item_edit", args=["service_domain", "youth_affairs"]),
    ):
        assert_matrix(client, world, url, {"anonymous": 302, "system_admin": 200}, default=403)
    for name in ("item_toggle", "item_move"):
        url = reverse(f"refdata:{name}", args=["service_domain", "youth_affairs"])
        assert_matrix(client, world, url, {"anonymous": 302, "system_admin": None}, default=403, method="post")
    client.force_login(world.system_admin)
    assert client.get(reverse("refdata:dictionary_detail", args=["nothing"])).status_code == 404
    assert client.get(reverse("refdata:item_edit", args=["post_type", "nothing"])).status_code == 404


def test_read_only_users_see_no_edit_controls(client, world):
    client.force_login(world.worker_b)
    html = client.get(reverse("refdata:dictionary_detail", args=["post_type"])).content.decode()
    assert "专业社工岗" in html and reverse("refdata:item_create", args=["post_type"]) not in html
    client.force_login(world.system_admin)
    html = client.get(reverse("refdata:dictionary_detail", args=["post_type"])).content.decode()
    assert reverse("refdata:item_create", args=["post_type"]) in html


def test_system_admin_adds_edits_retires_and_reorders_on_the_pages(client, world):
    client.force_login(world.system_admin)
    create = reverse("refdata:item_create", args=["post_type"])
    response = client.post(create, {"code": "实习", "name": "实习岗"})
    assert "代码只能包含英文字母、数字、下划线或连字符。" in response.content.decode()
    response = client.post(create, {"code": "intern", "name": "实习岗", "description": "", "source": ""})
    assert response.status_code == 302
    edit = reverse("refdata:item_edit", args=["post_type", "intern"])
    # A posted code is ignored: the field is disabled.
    response = client.post(edit, {"code": "trainee", "name": "见习岗", "description": "", "source": ""})
    assert response.status_code == 302
    item = selectors.item("post_type", "intern")
    assert item.name == "见习岗"
    client.post(reverse("refdata:item_toggle", args=["post_type", "intern"]))
    item.refresh_from_db()
    assert item.is_active is False
    client.post(reverse("refdata:item_move", args=["post_type", "admin_support"]), {"direction": "up"})
    assert [row.code for row in selectors.items("post_type")][:2] == ["admin_support", "professional"]


def test_menu_entry_for_the_system_admin(world):
    assert "refdata:dictionary_list" in [item["url_name"] for item in items_for(world.system_admin)]
    assert "refdata:dictionary_list" not in [item["url_name"] for item in items_for(world.city_admin)]


# --- API -------------------------------------------------------------------------------------------------------------


def test_api(client, world):
    url = "/api/v1/refdata/post_type/items"
    assert_matrix(client, world, url, {"anonymous": 401, "no_role": 403, "audit_admin": 403}, default=200)
    DictionaryItem.objects.filter(dictionary__code="post_type", code="supervisor").update(is_active=False)
    client.force_login(world.worker_b)
    assert [row["code"] for row in client.get(url).json()] == ["professional", "admin_support"]
    rows = client.get(url, {"include_inactive": "true"}).json()
    assert rows[-1] == {
        "code": "supervisor",
        "name": "督导岗",
        "description": "",
        "source": "",
        "sort_order": 30,
        "is_active": False,
    }
    assert client.get("/api/v1/refdata/nothing/items").status_code == 404
    dictionaries = {row["code"]: row for row in client.get("/api/v1/refdata/").json()}
    assert dictionaries["post_type"]["active_count"] == 2 and dictionaries["post_type"]["item_count"] == 3


def test_pages_in_english(client, world):
    from django.utils import translation

    client.force_login(world.system_admin)
    # LocaleMiddleware activates the request's language for the thread; override() puts the previous one back after.
    with translation.override("zh-hans"):
        html = client.get(reverse("refdata:dictionary_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Reference lists" in html
