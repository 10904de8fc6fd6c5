"""Preset profiles for the seed documents' jurisdictions and the national rules (DESIGN.md §3, §4).

Every rule quotes its source: the document's name (and number where it has one) and the sentence the numbers come
from. The seed files (shared/seeds/) are referred to in comments: 000 Shenzhen, 001 Zhejiang, 002 Chongqing,
003 Guangzhou, 004 Jiangsu / Heilongjiang / Kunming.

A preset is installed once (data migration 0004) and never overwritten: the code `preset` identifies it, and an
installed preset is left as an administrator has edited it. The numbers are then changed in the UI, audited.

What is deliberately not a rule here:
- Chongqing's 39% (seed 002: 社区社会工作室已建成 4350 个，占全市城乡社区总数的 39%) is the 2020 state of affairs, not a
  target, so it is not a community_room_coverage rule.
- Province-wide totals (Zhejiang 10万 certified professionals by 2022, Jiangsu > 10万 by 2025, 150 leading talents …)
  are Targets (indicator × region × period), a later app, not rules a project or station is judged by.
- Rating cut-offs are set by local evaluation rules not in the seeds; the rating_cutoffs kind exists for an
  administrator to add them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from shegong.regions.codes import canonical


@dataclass(frozen=True)
class PresetRule:
    kind: str
    params: dict
    source_text: str


@dataclass(frozen=True)
class Preset:
    code: str
    region: str | None  # short division code, None = national
    name: str
    valid_from: datetime.date
    valid_to: datetime.date | None = None
    description: str = ""
    rules: list[PresetRule] = field(default_factory=list)


D = datetime.date

# Seed 000: 深圳商报 (2020-11-23) on the Shenzhen measures.
SHENZHEN_MEASURES = (
    "《深圳市关于提升社会工作服务水平的若干措施》（2020年11月，据深圳商报《深圳全力打造社会工作服务创新发展高地》）"
)
# Seed 003: the Guangzhou bureau's reply to CPPCC proposal 5030.
GUANGZHOU_REPLY = "广州市民政局《关于政协十三届广州市委员会第四次会议第5030号提案答复的函》（穗民案〔2020〕101号）"
# Seed 001: Zhejiang's draft opinion, published for comment on 2019-06-18.
ZHEJIANG_DRAFT = (
    "浙江省民政厅《关于加强社会工作专业人才队伍建设加快推进社会工作发展的意见》（征求意见稿，2019年6月18日）"
)
# Seed 004: 新华网 on Jiangsu's two documents, press conference of 2022-01-05.
JIANGSU_SOURCE = "2022年1月5日发布，据新华网《江苏出台意见 加快推动社会工作高质量发展》"
JIANGSU_OPINION = f"江苏省《关于加快推进社会工作高质量发展的意见》（{JIANGSU_SOURCE}）"
JIANGSU_PLAN = f"《江苏省“十四五”社会工作专业人才发展规划》（{JIANGSU_SOURCE}）"

PRESETS: list[Preset] = [
    Preset(
        code="national",
        region=None,
        name="全国（民政部规定）",
        valid_from=D(2009, 4, 8),
        description=(
            "民政部关于社会工作者职业水平证书登记、继续教育和社会组织评估的规定。生效日期取《社会工作者职业水平证书登记办法》"
            "印发之日（2009年4月8日）；《社会组织评估管理办法》自2011年3月1日起施行。"
        ),
        rules=[
            PresetRule(
                "continuing_education_hours",
                {"assistant_hours": 72, "intermediate_hours": 90, "senior_hours": 90, "period_years": 3},
                "《社会工作者继续教育办法》（民发〔2009〕123号）：助理社会工作师在每一登记有效期（3年）内接受社会工作专业"
                "继续教育的时间累计不得少于72小时；社会工作师、高级社会工作师在每一登记有效期（3年）内接受社会工作专业继续"
                "教育的时间累计不得少于90小时。",
            ),
            PresetRule(
                "registration_validity",
                {"first_registration_years": 1, "validity_years": 3, "renewal_window_months": 3},
                "《社会工作者职业水平证书登记办法》（民发〔2009〕44号）第四条：首次登记的受理期限为通过社会工作者职业水平评价"
                "后1年内，登记有效期为3年。首次登记后，每3年进行再登记。再登记的受理期限为上次登记有效期满前3个月。",
            ),
            PresetRule(
                "rating_validity",
                {"validity_years": 5},
                "《社会组织评估管理办法》（民政部令第39号，自2011年3月1日起施行）：社会组织评估结果分为5A级、4A级、3A级、"
                "2A级、1A级五个等级，评估等级有效期为5年；获得的评估等级满5年有效期的，可申请重新评估（第六条）。",
            ),
        ],
    ),
    Preset(
        code="shenzhen-2020",
        region="4403",
        name="深圳市（2020年《若干措施》）",
        valid_from=D(2020, 11, 1),
        description="《深圳市关于提升社会工作服务水平的若干措施》于2020年11月经市政府批准出台；生效日期取当月1日。",
        rules=[
            PresetRule(
                "package_fee_per_person",
                {"minimum": "163000", "review_period_years": 3},
                f"{SHENZHEN_MEASURES}：政府购买社会工作服务整体打包费标准不低于16.3万元/人/年，原则上每3年调整一次。",
            ),
            PresetRule(
                "certified_post_share",
                {"minimum": "100", "target_year": 2023},
                f"{SHENZHEN_MEASURES}：到2023年实现政府购买服务项目中的社工专业岗位全员持证上岗。",
            ),
            PresetRule(
                "supervisor_ratio",
                {"max_supervisees": 20},
                "《深圳市社工督导人员工作职责规定（试行）》第三条：原则上采取“1督导：2督导助理：20社工”的小组督导方式。"
                "（此条不在《若干措施》报道中，系据公开文本录入，请以本地现行文件核对。）",
            ),
        ],
    ),
    Preset(
        code="guangzhou-2011",
        region="4401",
        name="广州市（2018年以前）",
        valid_from=D(2011, 1, 1),
        valid_to=D(2018, 1, 1),
        description=(
            "2018年以前社工站（家庭综合服务中心）项目经费标准为每年200万元。起始日期取2011年（全市推开家庭综合服务中心），"
            "来源文件未载明，可按本地文件修改。"
        ),
        rules=[
            PresetRule(
                "station_project_amount",
                {"amount": "2000000"},
                f"{GUANGZHOU_REPLY}：2018年将社工站购买服务经费由200万元提高到240万元。",
            ),
        ],
    ),
    Preset(
        code="guangzhou-2018",
        region="4401",
        name="广州市（2018年起）",
        valid_from=D(2018, 1, 1),
        description="2018年起社工站项目经费每年240万元，人员支出不低于65%（穗府办规〔2018〕13号）。",
        rules=[
            PresetRule(
                "station_project_amount",
                {"amount": "2400000"},
                f"{GUANGZHOU_REPLY}：2018年将社工站购买服务经费由200万元提高到240万元。",
            ),
            PresetRule(
                "labour_cost_share",
                {"minimum": "65"},
                f"《广州市社工服务站（家庭综合服务中心）管理办法》（穗府办规〔2018〕13号），据{GUANGZHOU_REPLY}："
                "规定社工站每年240万的项目费用中人员支出比例不能低于65%。",
            ),
            PresetRule(
                "presence_days_per_week",
                {"minimum_days": 3},
                f"{GUANGZHOU_REPLY}：建立“一社区一社工”工作机制，要求社工每周在社区开展定点服务达3天以上。",
            ),
        ],
    ),
    Preset(
        code="jiangsu-2022",
        region="32",
        name="江苏省（2022年《意见》与“十四五”规划）",
        valid_from=D(2022, 1, 5),
        description="江苏18个部门联合出台的《意见》和《江苏省“十四五”社会工作专业人才发展规划》，2022年1月5日发布。",
        rules=[
            PresetRule(
                "labour_cost_share",
                {"minimum": "80"},
                f"{JIANGSU_OPINION}：政府购买的专业社会工作服务项目中，社会工作专业人才的数量不低于项目执行总人数的75%，"
                "项目人力成本不少于项目经费的80%。",
            ),
            PresetRule(
                "professional_staff_share",
                {"minimum": "75"},
                f"{JIANGSU_OPINION}：政府购买的专业社会工作服务项目中，社会工作专业人才的数量不低于项目执行总人数的75%。",
            ),
            PresetRule(
                "township_station_coverage",
                {"minimum": "100", "target_year": 2025},
                f"{JIANGSU_PLAN}：到2025年，……乡镇（街道）社会工作服务站点覆盖率达到100%。",
            ),
            PresetRule(
                "county_rated_agencies",
                {"minimum_agencies": 2, "minimum_grade": 3, "target_year": 2025},
                f"{JIANGSU_PLAN}：到2025年，……每个县（市、区）拥有3A级及以上民办社会工作服务机构的数量≥2个。",
            ),
        ],
    ),
    Preset(
        code="zhejiang-2019-draft",
        region="33",
        name="浙江省（2019年征求意见稿）",
        valid_from=D(2019, 6, 18),
        description="浙江省民政厅2019年6月18日公开征求意见的《意见》（征求意见稿）；正式文件印发后请据以修改。",
        rules=[
            PresetRule(
                "labour_cost_share",
                {"maximum": "70"},
                f"{ZHEJIANG_DRAFT}第六条：完善政府购买社会工作服务成本核算制度，编制财政预算时将社会工作专业人才人力成本"
                "作为重要指标，纳入成本核算，占比不超过项目经费的70%。",
            ),
            PresetRule(
                "staffing_minimum",
                {"urban_community": 2, "rural_community": 1, "target_year": 2022},
                f"{ZHEJIANG_DRAFT}第七条：到2022年，实现每个城市社区至少配备2名社会工作专业人才，每个农村社区至少配备1名"
                "社会工作专业人才。",
            ),
            PresetRule(
                "frontline_training_hours",
                {"minimum_hours": "120", "target_year": 2022},
                f"{ZHEJIANG_DRAFT}第三条：对城乡社区、公益服务类事业单位、公益慈善类社会组织等直接从事社会服务的从业人员，"
                "到2022年进行累计不少于120小时的社会工作专业知识和实务技能培训。",
            ),
            PresetRule(
                "social_work_post_share",
                {"target": "70"},
                f"{ZHEJIANG_DRAFT}第七条：以社会工作服务为主的事业单位应将社会工作岗位明确为主体专业技术岗位，并逐步达到"
                "专业技术岗位总量的70%左右。",
            ),
        ],
    ),
    Preset(
        code="chongqing-2020",
        region="50",
        name="重庆市（三级服务体系标准）",
        valid_from=D(2020, 10, 19),
        description=(
            "重庆市民政局在民政部门户网站介绍的“区县—镇街—村社”三级体系配备标准（2020年10月19日）。"
            "文中“社区社会工作室已建成4350个，占全市城乡社区总数的39%”是现状而非目标，故未设覆盖率规则。"
        ),
        rules=[
            PresetRule(
                "staffing_minimum",
                {
                    "centre": 2,
                    "street_station": 2,
                    "township_station": 1,
                    "urban_community": 2,
                    "rural_community": 1,
                },
                "重庆市民政局《构建三级体系 赋能社会工作 助推基层社会治理体系和治理能力现代化》（民政部门户网站，"
                "2020年10月19日）：发布社区社会工作室建设地方标准，明确每个区县社会工作指导中心至少配备2名专职社会工作者；"
                "每个街道社会工作站至少配备2名专职社会工作者、乡镇社会工作站至少配备1名专职社会工作者；每个城市社区社会工作室"
                "至少配备2名专职社会工作者、农村社区社会工作室至少配备1名专职社会工作者。",
            ),
        ],
    ),
    Preset(
        code="heilongjiang-2022",
        region="23",
        name="黑龙江省（2022年社工站建设目标）",
        valid_from=D(2022, 1, 7),
        description="黑龙江省民政厅2022年1月7日召开的全省乡镇（街道）社工站建设推进会议确定的年度目标。",
        rules=[
            PresetRule(
                "township_station_coverage",
                {"minimum": "40", "target_year": 2022},
                "黑龙江省民政厅2022年度全省乡镇（街道）社工站建设推进会议（2022年1月7日）：按年底不低于本地乡镇总数40%"
                "确定社工站建设目标任务。",
            ),
        ],
    ),
]


def install_presets(profile_model=None, rule_model=None, region_model=None) -> list[str]:
    """Create the presets that are missing; return the codes created. Safe to run again: an installed preset (found
    by its code) is left as it is, and a preset whose period would overlap an existing profile of its region is
    skipped, so neither an administrator's edits nor their own profiles are ever overwritten.

    The migration passes its historical models; called without arguments it uses the current ones."""
    from shegong.policies import registry

    if profile_model is None:
        from shegong.policies.models import PolicyProfile as profile_model
        from shegong.policies.models import PolicyRule as rule_model
        from shegong.regions.models import Region as region_model

    created = []
    existing = set(profile_model.objects.exclude(preset="").values_list("preset", flat=True))
    for preset in PRESETS:
        if preset.code in existing:
            continue
        region_id = canonical(preset.region) if preset.region else None
        if region_id and not region_model.objects.filter(pk=region_id).exists():
            continue
        same_region = profile_model.objects.filter(region_id=region_id) if region_id else None
        if same_region is None:
            same_region = profile_model.objects.filter(region__isnull=True)
        overlapping = same_region.filter(valid_to__isnull=True) | same_region.filter(valid_to__gt=preset.valid_from)
        if preset.valid_to is not None:
            overlapping = overlapping.filter(valid_from__lt=preset.valid_to)
        if overlapping.exists():
            continue
        profile = profile_model.objects.create(
            name=preset.name,
            region_id=region_id,
            valid_from=preset.valid_from,
            valid_to=preset.valid_to,
            preset=preset.code,
            description=preset.description,
        )
        rule_model.objects.bulk_create(
            rule_model(
                profile=profile,
                kind=rule.kind,
                params=registry.get(rule.kind).clean_params(rule.params),
                source_text=rule.source_text,
            )
            for rule in preset.rules
        )
        created.append(preset.code)
    return created
