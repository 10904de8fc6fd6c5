"""The dictionaries the platform ships with (DESIGN.md §3), installed by migration 0002 and never overwritten.

Item codes are stable ASCII slugs: later apps store the code, so an administrator may rename, reorder or retire an
item (is_active) without touching data. Names are Chinese, as in the policy documents; `source` says where an item
comes from. Seeds referred to: 000 Shenzhen, 001 Zhejiang, 002 Chongqing, 003 Guangzhou, 004 Jiangsu.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SHENZHEN = "深圳：《深圳市关于提升社会工作服务水平的若干措施》（2020），16个服务领域"
ZHEJIANG = "浙江：《关于加强社会工作专业人才队伍建设加快推进社会工作发展的意见》（征求意见稿，2019）第十条"
BOTH = "深圳《若干措施》（2020）与浙江《意见》（征求意见稿，2019）第十条均列出"
STATION_PLATFORMS = "各地镇街社工站服务平台通用的服务对象分类"
MOCA_LEVELS = "《社会工作者职业水平评价暂行规定》（国人部发〔2006〕71号）"


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    source: str = ""
    description: str = ""


@dataclass(frozen=True)
class Dictionary:
    code: str
    name: str
    description: str
    source: str = ""
    items: list[Item] = field(default_factory=list)


DICTIONARIES: list[Dictionary] = [
    Dictionary(
        "service_domain",
        "服务领域",
        "社会工作服务的领域。深圳列出16个，浙江列出16个（其中5个深圳未列），两者合并。",
        "深圳《若干措施》（2020）；浙江《意见》（征求意见稿，2019）",
        [
            Item("social_welfare", "社会福利", BOTH),
            Item("social_assistance", "社会救助", BOTH),
            Item("charity", "慈善事业", BOTH),
            Item("community_building", "社区建设", BOTH),
            Item("marriage_family", "婚姻家庭", BOTH),
            Item("mental_health", "精神卫生", BOTH),
            Item("disability_rehabilitation", "残障康复", BOTH),
            Item("education_guidance", "教育辅导", BOTH),
            Item("employment_assistance", "就业援助", BOTH),
            Item("worker_support", "职工帮扶", BOTH),
            Item("crime_prevention", "犯罪预防", SHENZHEN),
            Item("drug_rehabilitation", "禁毒戒毒", BOTH),
            Item("correction_and_aftercare", "矫治帮教", SHENZHEN),
            Item("health", "卫生健康", SHENZHEN),
            Item("dispute_mediation", "纠纷调解", SHENZHEN),
            Item("emergency_response", "应急处置", SHENZHEN),
            Item("poverty_relief", "扶贫济困", ZHEJIANG),
            Item("community_correction", "社区矫正", ZHEJIANG),
            Item("resettlement_assistance", "安置帮教", ZHEJIANG),
            Item("doctor_patient_relations", "医患关系", ZHEJIANG),
            Item("youth_affairs", "青少年事务", ZHEJIANG),
        ],
    ),
    Dictionary(
        "recipient_category",
        "服务对象类别",
        "困难群体等服务对象的类别，一人可属多类。",
        STATION_PLATFORMS,
        [
            Item("subsistence_allowance", "低保", STATION_PLATFORMS, "最低生活保障对象"),
            Item("low_income_marginal", "低边", STATION_PLATFORMS, "低保边缘家庭成员"),
            Item("extreme_poverty", "特困", STATION_PLATFORMS, "特困供养人员"),
            Item("children_in_difficulty", "困境儿童", STATION_PLATFORMS),
            Item("left_behind_elderly", "留守老人", STATION_PLATFORMS),
            Item("widowed_childless_elderly", "孤寡", STATION_PLATFORMS, "孤寡老人"),
            Item("severe_disability", "重度残疾", STATION_PLATFORMS),
            Item("living_alone", "独居", STATION_PLATFORMS, "独居老人等独自居住者"),
            Item("expenditure_poverty_family", "支出型困难家庭", STATION_PLATFORMS, "因病、因学等刚性支出致困的家庭"),
            Item("disabled_person", "残疾人", STATION_PLATFORMS),
            Item("homeless_beggar", "流浪乞讨", STATION_PLATFORMS, "流浪乞讨人员"),
            Item("left_behind_children", "留守儿童", STATION_PLATFORMS),
            Item("single_mother_hardship", "单身特困母亲", STATION_PLATFORMS),
            Item("left_behind_women", "留守妇女", STATION_PLATFORMS),
            Item("empty_nest_elderly", "空巢", STATION_PLATFORMS, "空巢老人"),
            Item("disabled_elderly", "失能", STATION_PLATFORMS, "失能、半失能人员"),
            Item(
                "severely_disabled",
                "重残",
                STATION_PLATFORMS,
                "部分平台与“重度残疾”并列使用；如本地不加区分，可停用其中一项",
            ),
            Item("family_planning_special", "计生特殊家庭", STATION_PLATFORMS, "计划生育特殊家庭（失独、伤残）"),
            Item("orphan", "孤儿", STATION_PLATFORMS),
            Item("de_facto_unsupported_child", "事实无人抚养儿童", STATION_PLATFORMS),
        ],
    ),
    Dictionary(
        "post_type",
        "岗位类型",
        "社工服务项目和站点中的岗位类型。",
        "政府购买社会工作服务项目通行设置",
        [
            Item("professional", "专业社工岗"),
            Item("admin_support", "行政辅助岗"),
            Item("supervisor", "督导岗"),
        ],
    ),
    Dictionary(
        "employer_kind",
        "用人单位类型",
        "社会工作者所在单位的类型（浙江《意见》第七条所列设岗单位及社会组织）。",
        ZHEJIANG,
        [
            Item("community", "社区", "", "城乡社区（村、居委会）"),
            Item("public_institution", "事业单位"),
            Item("party_government", "党政机关"),
            Item("mass_organization", "群团组织"),
            Item("enterprise", "企业"),
            Item("social_organization", "社会组织", "", "社会工作服务机构等社会组织"),
        ],
    ),
    Dictionary(
        "funding_source",
        "经费来源",
        "社会工作服务经费的来源。",
        "重庆市民政局《构建三级体系 赋能社会工作》（2020）：财政投入、社会投入、市场投入",
        [
            Item("fiscal_budget", "财政预算"),
            Item("lottery_welfare_fund", "彩票公益金"),
            Item("social_donation", "社会捐赠"),
            Item("service_fee", "服务收费", "", "面向市场开展服务的合理收费"),
        ],
    ),
    Dictionary(
        "budget_line",
        "预算科目",
        "服务项目预算与支出的科目；人员科目用于计算人力成本占比。",
        "",
        [
            Item("personnel", "人员", "", "人员薪酬、社保、公积金等人力成本"),
            Item("activity", "活动"),
            Item("administration", "管理"),
            Item("other", "其他"),
        ],
    ),
    Dictionary(
        "referral_department",
        "转介部门",
        "个案转介的去向部门或单位。",
        "",
        [
            Item("civil_affairs", "民政"),
            Item("disabled_persons_federation", "残联"),
            Item("womens_federation", "妇联"),
            Item("youth_league", "共青团"),
            Item("trade_union", "工会"),
            Item("legal_aid", "法律援助"),
            Item("medical", "医疗机构"),
            Item("education", "教育"),
            Item("human_resources", "人社"),
            Item("public_security", "公安"),
            Item("justice", "司法"),
            Item("health_commission", "卫健"),
            Item("emergency_management", "应急管理"),
            Item("community_committee", "村（居）委会"),
        ],
    ),
    Dictionary(
        "inspection_checklist",
        "督查事项",
        "社工站实地督查与专项检查的事项。",
        "广州市民政局穗民案〔2020〕101号：安全管理、标准化建设、特殊困难人群服务、疫情防控；专业服务、内部治理、财务管理",
        [
            Item("safety_management", "安全管理", "穗民案〔2020〕101号"),
            Item("standardization", "标准化建设", "穗民案〔2020〕101号"),
            Item("special_groups_service", "特殊困难人群服务", "穗民案〔2020〕101号"),
            Item("financial_management", "财务管理", "穗民案〔2020〕101号"),
            Item("professional_service", "专业服务", "穗民案〔2020〕101号"),
            Item("internal_governance", "内部治理", "穗民案〔2020〕101号"),
            Item("epidemic_prevention", "疫情防控", "穗民案〔2020〕101号"),
            Item("service_outcomes", "服务成效", "广州社工站督查实践：季度实地督查"),
            Item("archive_management", "档案管理", "广州社工站督查实践：季度实地督查"),
            Item("staff_on_duty", "人员在岗", "广州“一社区一社工”：社工每周在社区服务不少于3天"),
        ],
    ),
    Dictionary(
        "education_level",
        "学历",
        "最高学历。",
        "",
        [
            Item("doctorate", "博士研究生"),
            Item("master", "硕士研究生"),
            Item("bachelor", "大学本科"),
            Item("associate", "大学专科"),
            Item("upper_secondary", "高中、中专"),
            Item("lower_secondary_or_below", "初中及以下"),
        ],
    ),
    Dictionary(
        "education_major",
        "所学专业",
        "与社会工作相关的专业大类，用于统计专业化程度。",
        "",
        [
            Item("social_work", "社会工作"),
            Item("sociology", "社会学"),
            Item("psychology", "心理学"),
            Item("public_administration", "公共管理"),
            Item("education_studies", "教育学"),
            Item("law", "法学"),
            Item("medicine_nursing", "医学、护理"),
            Item("other_major", "其他专业"),
        ],
    ),
    Dictionary(
        "certificate_level",
        "证书等级",
        "全国社会工作者职业水平证书的等级；规则“继续教育学时”按此区分。",
        MOCA_LEVELS,
        [
            Item("assistant", "助理社会工作师", MOCA_LEVELS, "初级"),
            Item("intermediate", "社会工作师", MOCA_LEVELS, "中级"),
            Item("senior", "高级社会工作师", MOCA_LEVELS, "高级（评审）"),
        ],
    ),
    Dictionary(
        "volunteer_skill",
        "志愿者技能",
        "志愿者可提供的技能，用于需求与志愿者匹配。",
        "",
        [
            Item("companionship_visits", "陪伴探访"),
            Item("elderly_care", "助老照护"),
            Item("tutoring", "课业辅导"),
            Item("psychological_support", "心理疏导", "", "须具备相应资质"),
            Item("legal_advice", "法律咨询", "", "须具备相应资质"),
            Item("medical_care", "医疗护理", "", "须具备相应资质"),
            Item("first_aid", "应急救护"),
            Item("sign_language", "手语"),
            Item("translation", "外语翻译"),
            Item("it_support", "电脑与手机使用指导"),
            Item("appliance_repair", "家电维修"),
            Item("haircut", "理发"),
            Item("cooking", "烹饪"),
            Item("driving", "驾驶接送"),
            Item("arts_performance", "文艺表演"),
            Item("handicraft", "手工"),
            Item("photography", "摄影摄像"),
            Item("publicity_design", "宣传设计"),
            Item("event_organization", "活动组织"),
            Item("bookkeeping", "财务记账"),
        ],
    ),
]


def install_dictionaries(dictionary_model=None, item_model=None) -> tuple[int, int]:
    """Create missing dictionaries and items; return how many of each were created. Existing rows are never touched,
    so an administrator's renaming, reordering or retiring survives every later run. New items are appended after
    the existing ones of their dictionary."""
    if dictionary_model is None:
        from shegong.refdata.models import Dictionary as dictionary_model
        from shegong.refdata.models import DictionaryItem as item_model

    created_dictionaries = created_items = 0
    for spec in DICTIONARIES:
        dictionary, created = dictionary_model.objects.get_or_create(
            code=spec.code, defaults={"name": spec.name, "description": spec.description, "source": spec.source[:200]}
        )
        created_dictionaries += created
        existing = dict(item_model.objects.filter(dictionary=dictionary).values_list("code", "sort_order"))
        next_order = max(existing.values(), default=0) + 10
        new_items = []
        for position, item in enumerate(spec.items, start=1):
            if item.code in existing:
                continue
            order = position * 10 if not existing else next_order
            if existing:
                next_order += 10
            new_items.append(
                item_model(
                    dictionary=dictionary,
                    code=item.code,
                    name=item.name,
                    source=item.source[:200],
                    description=item.description,
                    sort_order=order,
                )
            )
        item_model.objects.bulk_create(new_items)
        created_items += len(new_items)
    return created_dictionaries, created_items
