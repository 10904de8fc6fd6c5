"""Forms of the evaluation pages. They only collect input; the services validate and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from shegong.accounts.forms import style_fields
from shegong.accounts.models import User
from shegong.core.listing import date_input
from shegong.core.scope import grants_of
from shegong.evaluations import selectors
from shegong.evaluations.models import EvaluationKind, IndicatorNode, RaterGroup, Survey
from shegong.evaluations.services import MAX_TOKENS_AT_ONCE
from shegong.projects.models import Project
from shegong.regions.models import Region


def own_regions(actor):
    """The regions of the actor's assignments that may add templates (a template belongs to one of them)."""
    codes = [g.region_code for g in grants_of(actor) if selectors.ADD_TEMPLATE in g.permissions and g.region_code]
    return Region.objects.filter(pk__in=codes).order_by("code")


class EvaluationForm(forms.Form):
    project = forms.ModelChoiceField(label=_("项目"), queryset=Project.objects.none())
    template = forms.ModelChoiceField(label=_("指标体系"), queryset=selectors.EvaluationTemplate.objects.none())
    title = forms.CharField(
        label=_("标题"), max_length=200, required=False, help_text=_("留空则按项目名称和评估类型生成")
    )
    due_on = date_input(forms.DateField(label=_("评分截止日期"), required=False))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = selectors.evaluable_projects(actor)
        self.fields["project"].label_from_instance = lambda project: f"{project.code} {project.name}"
        self.fields["template"].queryset = selectors.templates_visible(actor).order_by("kind", "name")
        style_fields(self)


class AssignForm(forms.Form):
    group = forms.ModelChoiceField(label=_("评分主体"), queryset=RaterGroup.objects.none())
    evaluator = forms.ModelChoiceField(label=_("评估人员"), queryset=User.objects.none())

    def __init__(self, *args, evaluation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = evaluation.template.groups.exclude(kind__in=RaterGroup.SURVEY_KINDS)
        self.fields["group"].label_from_instance = lambda group: group.get_kind_display()
        # The service checks each group's eligibility and conflicts of interest on submit.
        self.fields["evaluator"].queryset = selectors.rater_candidates(evaluation.project)
        self.fields["evaluator"].label_from_instance = lambda user: (
            f"{user.display_name or user.username}（{user.username}）"
        )
        style_fields(self)


class MoveForm(forms.Form):
    to = forms.ChoiceField(choices=selectors.Evaluation.State.choices)
    summary = forms.CharField(label=_("评估结论"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SurveyIssueForm(forms.Form):
    audience = forms.ChoiceField(label=_("调查对象"), choices=Survey.Audience.choices)
    count = forms.IntegerField(label=_("份数"), min_value=1, max_value=MAX_TOKENS_AT_ONCE, initial=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class CorrectionForm(forms.Form):
    new_score = forms.CharField(label=_("新得分"), max_length=20)
    new_comment = forms.CharField(label=_("新评语"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("更正原因"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=200)
    kind = forms.ChoiceField(label=_("评估类型"), choices=EvaluationKind.choices)
    region = forms.ModelChoiceField(label=_("所属区划"), queryset=Region.objects.none())
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    bands = forms.CharField(
        label=_("等级划分"),
        widget=forms.Textarea(attrs={"rows": 4}),
        initial="优秀 90\n良好 80\n合格 60\n不合格 0",
        help_text=_("每行一个等级：名称和下限，如“优秀 90”；最低一级的下限为 0"),
    )

    def __init__(self, *args, actor=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["kind"]
            del self.fields["region"]
        else:
            self.fields["region"].queryset = own_regions(actor)
        style_fields(self)


class CopyForm(forms.Form):
    name = forms.CharField(label=_("新名称"), max_length=200)
    region = forms.ModelChoiceField(label=_("所属区划"), queryset=Region.objects.none())

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = own_regions(actor)
        style_fields(self)


class NodeForm(forms.Form):
    parent = forms.ModelChoiceField(
        label=_("上级"), queryset=IndicatorNode.objects.none(), required=False, help_text=_("留空表示新增维度")
    )
    name = forms.CharField(label=_("名称"), max_length=200)
    weight = forms.CharField(label=_("权重（%）"), max_length=10)
    max_points = forms.CharField(label=_("满分（评分项）"), max_length=10, required=False)
    levels = forms.CharField(
        label=_("评分等级（评分项，可选）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个等级：名称和分值，如“好 10”；填写后按等级评分"),
    )
    method = forms.ChoiceField(
        label=_("评估方法（评分项）"), choices=[("", "—"), *IndicatorNode.Method.choices], required=False
    )
    groups = forms.MultipleChoiceField(
        label=_("评分主体（评分项）"),
        choices=RaterGroup.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    guidance = forms.CharField(label=_("评分说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, template, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = template.nodes.filter(level__lt=IndicatorNode.Level.ITEM).order_by(
            "level", "position"
        )
        self.fields["parent"].label_from_instance = lambda node: f"{node.get_level_display()}：{node.name}"
        present = set(template.groups.values_list("kind", flat=True))
        self.fields["groups"].choices = [(k, v) for k, v in RaterGroup.Kind.choices if k in present]
        style_fields(self)


class GroupForm(forms.Form):
    kind = forms.ChoiceField(label=_("评分主体"), choices=RaterGroup.Kind.choices)
    weight = forms.CharField(label=_("权重（%）"), max_length=10, required=False, help_text=_("留空表示移除该评分主体"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
