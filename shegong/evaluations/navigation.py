from django.utils.translation import gettext_lazy as _

from shegong.web.navigation import NavItem

# Bureaus hold view_evaluation, the contractor's admins view_evaluation_result (never both), evaluators and the
# bureau staff who score as 购买方/监管方 score_evaluation.
NAV_ITEMS = [
    NavItem(
        _("项目评估"), "evaluations:list", "evaluations.view_evaluation", "clipboard-check", 260, section="projects"
    ),
    NavItem(
        _("评估结果"),
        "evaluations:list",
        "evaluations.view_evaluation_result",
        "clipboard-check",
        260,
        section="projects",
    ),
    NavItem(
        _("我的评分"), "evaluations:mine", "evaluations.score_evaluation", "pencil-square", 261, section="projects"
    ),
    NavItem(
        _("评估指标体系"),
        "evaluations:template_list",
        "evaluations.view_evaluationtemplate",
        "diagram-2",
        262,
        section="projects",
    ),
]
