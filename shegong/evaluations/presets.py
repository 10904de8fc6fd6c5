"""Preset templates: the 广州-style mid-term and final evaluation (seed 003).

Seed 003 (广州市民政局《关于政协十三届广州市委员会第四次会议第5030号提案答复的函》, 穗民案〔2020〕101号) says what the
evaluation covers and how it is done, not the weights: those below are a starting point a bureau changes (copy the
preset and edit the copy). The grade bands 优秀 ≥ 90 / 良好 ≥ 80 / 合格 ≥ 60 / 不合格 are the usual ones and also data.

Installed once per database (apps.py connects `install_presets` to post_migrate, so a fresh database and a flushed
test database get them) and never overwritten: the code `preset` identifies an installed one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

SEED_003 = (
    "广州市民政局《关于政协十三届广州市委员会第四次会议第5030号提案答复的函》（穗民案〔2020〕101号）："
    "先后出台了《广州市社工服务站（家庭综合服务中心）项目评估办法》（穗民规字〔2019〕11号）、《广州市社工服务站"
    "（家庭综合服务中心）评估指标体系（试行）》（穗民〔2019〕293号）等文件，规定每个服务年度对社工站项目进行中期、末期"
    "两次评估，中期进行专业服务评估（含购买方、监督方评估），末期进行专业服务评估和财务评估；社工站项目评估主要采取"
    "资料分析、问卷调查、电访面谈、实地察看等方式、方法进行……在服务成效与满意度评价方面，全面收集购买方和监督方"
    "（区、镇街）、合作方（村居委、企业等）、服务对象等多主体的意见建议，全部纳入评估评分体系。"
)

BANDS = [
    {"label": "优秀", "minimum": "90"},
    {"label": "良好", "minimum": "80"},
    {"label": "合格", "minimum": "60"},
    {"label": "不合格", "minimum": "0"},
]
OUTCOME_LEVELS = [
    {"label": "好", "points": "10"},
    {"label": "较好", "points": "8"},
    {"label": "一般", "points": "6"},
    {"label": "差", "points": "3"},
]


@dataclass(frozen=True)
class Item:
    name: str
    weight: str
    max_points: str = "10"
    method: str = "documents"
    levels: list = field(default_factory=list)
    groups: tuple[str, ...] = ("expert",)


@dataclass(frozen=True)
class Branch:
    name: str
    weight: str
    children: list


@dataclass(frozen=True)
class PresetTemplate:
    code: str
    region: str | None
    name: str
    kind: str
    description: str
    tree: list[Branch]
    groups: dict[str, str]


def _management(weight: str) -> Branch:
    return Branch(
        "项目管理",
        weight,
        [
            Branch(
                "制度与人员",
                "50",
                [Item("项目管理制度建设与执行", "50"), Item("人员配备、资质与稳定性", "50")],
            ),
            Branch(
                "计划与进度",
                "50",
                [
                    Item("需求评估与服务计划", "50"),
                    Item("服务进度与合同指标完成情况", "50", method="site_visit", groups=("expert", "supervisor")),
                ],
            ),
        ],
    )


def _service(weight: str) -> Branch:
    return Branch(
        "专业服务",
        weight,
        [
            Branch("个案与小组", "40", [Item("个案服务质量", "50"), Item("小组服务质量", "50")]),
            Branch(
                "社区活动与资源链接",
                "30",
                [
                    Item("社区活动成效", "60", method="site_visit"),
                    Item("资源链接与志愿者联动", "40", method="interview"),
                ],
            ),
            Branch(
                "服务成效",
                "30",
                [Item("服务对象的改变与成效", "100", method="interview", levels=OUTCOME_LEVELS)],
            ),
        ],
    )


def _satisfaction(weight: str) -> Branch:
    return Branch(
        "满意度",
        weight,
        [
            Branch(
                "购买方与监管方评价",
                "50",
                [
                    Item("购买方评价", "50", method="interview", groups=("purchaser",)),
                    Item("监管方（区、镇街）评价", "50", method="interview", groups=("supervisor",)),
                ],
            ),
            Branch(
                "合作方与服务对象满意度",
                "50",
                [
                    Item("合作方（村居委、企业等）满意度", "50", "5", "questionnaire", groups=("partner",)),
                    Item("服务对象满意度", "50", "5", "questionnaire", groups=("recipient",)),
                ],
            ),
        ],
    )


def _finance(weight: str) -> Branch:
    finance = ("finance",)
    return Branch(
        "财务管理",
        weight,
        [
            Branch(
                "预算执行",
                "50",
                [
                    Item("经费使用与预算执行率", "50", groups=finance),
                    Item("人员经费占比", "50", groups=finance),
                ],
            ),
            Branch(
                "财务制度",
                "50",
                [
                    Item("财务制度与票据规范", "60", groups=finance),
                    Item("专项审计与整改落实", "40", groups=finance),
                ],
            ),
        ],
    )


PRESETS: list[PresetTemplate] = [
    PresetTemplate(
        code="guangzhou-midterm",
        region="4401",
        name="广州市社工服务站项目中期评估",
        kind="midterm",
        description="中期：专业服务评估，含购买方、监管方（区、镇街）评估；合作方与服务对象满意度由问卷计分。",
        tree=[_management("20"), _service("50"), _satisfaction("30")],
        groups={"expert": "50", "purchaser": "15", "supervisor": "15", "partner": "10", "recipient": "10"},
    ),
    PresetTemplate(
        code="guangzhou-final",
        region="4401",
        name="广州市社工服务站项目末期评估",
        kind="final",
        description="末期：专业服务评估与财务评估；购买方、监管方、合作方与服务对象的满意度全部纳入评分。",
        tree=[_management("15"), _service("45"), _finance("15"), _satisfaction("25")],
        groups={
            "expert": "40",
            "finance": "15",
            "purchaser": "15",
            "supervisor": "10",
            "partner": "10",
            "recipient": "10",
        },
    ),
]


def install_presets(sender=None, **kwargs) -> list[str]:
    """Create the presets that are missing (and whose region exists); return the codes created."""
    from shegong.evaluations.models import EvaluationTemplate, IndicatorNode, RaterGroup
    from shegong.regions.codes import canonical
    from shegong.regions.models import Region

    created = []
    existing = set(EvaluationTemplate.objects.exclude(preset="").values_list("preset", flat=True))
    for preset in PRESETS:
        region_id = canonical(preset.region) if preset.region else None
        if preset.code in existing or (region_id and not Region.objects.filter(pk=region_id).exists()):
            continue
        template = EvaluationTemplate.objects.create(
            name=preset.name,
            kind=preset.kind,
            region_id=region_id,
            preset=preset.code,
            description=preset.description,
            source_text=SEED_003,
            bands=BANDS,
        )
        groups = {
            kind: RaterGroup.objects.create(template=template, kind=kind, weight=Decimal(weight))
            for kind, weight in preset.groups.items()
        }
        for position, branch in enumerate(preset.tree, start=1):
            _install_branch(template, None, branch, 1, position, groups, IndicatorNode)
        created.append(preset.code)
    return created


def _install_branch(template, parent, branch, level, position, groups, node_model) -> None:
    node = node_model.objects.create(
        template=template,
        parent=parent,
        level=level,
        position=position,
        name=branch.name,
        weight=Decimal(branch.weight),
    )
    for child_position, child in enumerate(branch.children, start=1):
        if isinstance(child, Branch):
            _install_branch(template, node, child, level + 1, child_position, groups, node_model)
            continue
        levels = list(child.levels)
        item = node_model.objects.create(
            template=template,
            parent=node,
            level=3,
            position=child_position,
            name=child.name,
            weight=Decimal(child.weight),
            max_points=max((Decimal(level["points"]) for level in levels), default=Decimal(child.max_points)),
            levels=levels,
            method=child.method,
        )
        for kind in child.groups:
            groups[kind].items.add(item)
