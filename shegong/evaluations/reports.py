"""The evaluation report (print page, PDF, Excel) and the printable sheet of survey QR codes.

One `build` gathers everything the three outputs show (the tree with each item's mean score per group, the groups'
scores and weights, total and grade, the evaluators' comments, survey results, evaluators by name, corrections), in
a fixed number of queries. The PDF uses reportlab's CID font STSong-Light, as the station posters do.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.evaluations import scoring, selectors
from shegong.evaluations.models import Evaluation, EvaluatorAssignment, ItemScore, ScoreCorrection, Survey


@dataclass
class Report:
    evaluation: Evaluation
    rows: list[dict]
    groups: list[dict]
    total: Decimal | None
    grade: str
    evaluators: list[EvaluatorAssignment]
    comments: list[dict]
    surveys: list[dict]
    survey_comments: list[str]
    corrections: list[ScoreCorrection]
    bands: list[dict] = field(default_factory=list)
    generated_at: object = None


def build(evaluation: Evaluation) -> Report:
    result = selectors.compute_results([evaluation])[evaluation.pk]
    groups = list(evaluation.template.groups.order_by("id"))
    forms = list(
        EvaluatorAssignment.objects.filter(evaluation=evaluation)
        .select_related("group", "evaluator")
        .order_by("group_id")
    )
    means: dict[tuple[str, int], list[Decimal]] = defaultdict(list)
    item_comments = []
    for score in ItemScore.objects.filter(
        assignment__evaluation=evaluation, assignment__state="submitted"
    ).select_related("assignment__group", "assignment__evaluator", "item"):
        means[(score.assignment.group.kind, score.item_id)].append(score.score)
        if score.comment:
            item_comments.append(
                {
                    "item": score.item.name,
                    "group": score.assignment.group.get_kind_display(),
                    "evaluator": _name(score.assignment.evaluator),
                    "text": score.comment,
                }
            )
    rows = []
    for entry in selectors.flat_tree(evaluation.template):
        node = entry.node
        cells = []
        for group in groups:
            if not node.is_item:
                cells.append("")
                continue
            fraction = result.item_fractions.get((group.kind, node.pk))
            cells.append("" if fraction is None else _plain(scoring.round2(fraction * node.max_points)))
        rows.append(
            {
                "node": node,
                "level": node.level,
                "name": node.name,
                "weight": _plain(node.weight),
                "effective": _plain(scoring.round2(entry.effective)) if entry.effective is not None else "",
                "max": _plain(node.max_points) if node.is_item else "",
                "method": node.get_method_display() if node.is_item else "",
                "cells": cells,
            }
        )
    stored = evaluation.group_scores or {}
    group_rows = []
    for group in groups:
        live = result.group_scores.get(group.kind)
        score = stored.get(group.kind) or (_plain(scoring.round2(live)) if live is not None else "")
        group_rows.append(
            {"kind": group.kind, "label": group.get_kind_display(), "weight": _plain(group.weight), "score": score}
        )
    comments = [
        {"group": form.group.get_kind_display(), "evaluator": _name(form.evaluator), "text": form.comment}
        for form in forms
        if form.comment
    ] + item_comments
    corrections = list(
        ScoreCorrection.objects.filter(score__assignment__evaluation=evaluation)
        .select_related("score__item", "corrected_by")
        .order_by("corrected_at")
    )
    fixed = evaluation.state in (Evaluation.State.COMPLETED, Evaluation.State.PUBLISHED)
    return Report(
        evaluation=evaluation,
        rows=rows,
        groups=group_rows,
        total=evaluation.total if fixed else result.total,
        grade=evaluation.grade if fixed else result.grade,
        evaluators=forms,
        comments=comments,
        surveys=selectors.surveys(evaluation),
        survey_comments=selectors.comments(evaluation),
        corrections=corrections,
        bands=evaluation.template.bands,
        generated_at=timezone.localtime(),
    )


def _plain(value) -> str:
    if value is None:
        return ""
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _name(user) -> str:
    return (user.display_name or user.username) if user else ""


# --- Excel ---------------------------------------------------------------------------------------------------------


def xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    evaluation = report.evaluation
    book = Workbook()
    sheet = book.active
    sheet.title = _("评估报告")
    bold = Font(bold=True)
    sheet.append([evaluation.title])
    sheet["A1"].font = Font(bold=True, size=14)
    for label, value in _facts(report):
        sheet.append([label, value])
    sheet.append([])
    header = [_("层级"), _("名称"), _("权重（%）"), _("占总分（%）"), _("满分"), _("评估方法")]
    header += [group["label"] for group in report.groups]
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for row in report.rows:
        indent = "  " * (row["level"] - 1)
        sheet.append(
            [
                row["node"].get_level_display(),
                indent + row["name"],
                row["weight"],
                row["effective"],
                row["max"],
                row["method"],
                *row["cells"],
            ]
        )
    sheet.column_dimensions["B"].width = 40

    groups = book.create_sheet(_("评分主体"))
    groups.append([_("评分主体"), _("权重（%）"), _("得分")])
    for group in report.groups:
        groups.append([group["label"], group["weight"], group["score"]])
    groups.append([_("总分"), "100", _plain(report.total) if report.total is not None else ""])
    groups.append([_("等级"), "", report.grade])

    people = book.create_sheet(_("评估人员与意见"))
    people.append([_("评分主体"), _("评估人员"), _("状态"), _("提交时间")])
    for form in report.evaluators:
        submitted = timezone.localtime(form.submitted_at).strftime("%Y-%m-%d %H:%M") if form.submitted_at else ""
        people.append([form.group.get_kind_display(), _name(form.evaluator), form.get_state_display(), submitted])
    people.append([])
    people.append([_("评分主体"), _("评估人员"), _("评分项"), _("意见")])
    for comment in report.comments:
        people.append([comment["group"], comment["evaluator"], comment.get("item", ""), comment["text"]])

    surveys = book.create_sheet(_("满意度调查"))
    for entry in report.surveys:
        surveys.append([entry["survey"].title, _("发放"), entry["issued"], _("回收"), entry["answered"]])
        for mean in entry["means"]:
            surveys.append(["", mean["question"], _plain(mean["mean"]) if mean["mean"] is not None else ""])
        surveys.append(
            ["", _("满意度（%）"), _plain(entry["satisfaction"]) if entry["satisfaction"] is not None else ""]
        )
    for text in report.survey_comments:
        surveys.append([_("意见建议"), text])

    corrections = book.create_sheet(_("评分更正"))
    corrections.append([_("评分项"), _("原得分"), _("新得分"), _("原因"), _("更正人"), _("时间")])
    for correction in report.corrections:
        corrections.append(
            [
                correction.score.item.name,
                _plain(correction.old_score),
                _plain(correction.new_score),
                correction.reason,
                _name(correction.corrected_by),
                timezone.localtime(correction.corrected_at).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _facts(report: Report) -> list[tuple[str, str]]:
    evaluation = report.evaluation
    project = evaluation.project
    return [
        (_("项目"), f"{project.code} {project.name}"),
        (_("承接机构"), project.agency.name if project.agency else ""),
        (_("购买方"), project.purchaser_department),
        (_("评估类型"), evaluation.get_kind_display()),
        (_("指标体系"), evaluation.template.name),
        (_("状态"), evaluation.get_state_display()),
        (_("总分"), _plain(report.total) if report.total is not None else _("尚未完成")),
        (_("等级"), report.grade or _("尚未完成")),
        (_("评估结论"), evaluation.summary),
    ]


# --- PDF -----------------------------------------------------------------------------------------------------------


def pdf(report: Report) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from shegong.stations.posters import CJK_FONT, wrap

    width, height = A4
    margin = 40
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.setTitle(report.evaluation.title)
    y = height - margin

    def line(text: str, size: float = 10, indent: float = 0, gap: float = 4) -> None:
        nonlocal y
        for piece in wrap(str(text), size, width - 2 * margin - indent) or [""]:
            if y < margin + size:
                canvas.showPage()
                y = height - margin
            canvas.setFont(CJK_FONT, size)
            canvas.drawString(margin + indent, y - size, piece)
            y -= size + gap

    line(report.evaluation.title, 16, gap=10)
    for label, value in _facts(report):
        if value:
            line(f"{label}：{value}")
    y -= 6
    line(_("评分主体得分"), 13, gap=6)
    for group in report.groups:
        line(
            _("%(group)s（权重 %(weight)s%%）：%(score)s")
            % {"group": group["label"], "weight": group["weight"], "score": group["score"] or "—"},
            indent=12,
        )
    total = _plain(report.total) if report.total is not None else "—"
    line(_("总分 %(total)s，等级 %(grade)s") % {"total": total, "grade": report.grade or "—"}, 12, gap=8)
    line(_("指标与得分"), 13, gap=6)
    for row in report.rows:
        scores = "；".join(
            f"{group['label']} {cell}" for group, cell in zip(report.groups, row["cells"], strict=True) if cell != ""
        )
        text = f"{row['name']}（{_('权重')} {row['weight']}%"
        if row["max"]:
            text += f"，{_('满分')} {row['max']}，{row['method']}"
        text += "）" + (f" {scores}" if scores else "")
        line(text, 10 if row["level"] == 3 else 11, indent=12 * (row["level"] - 1))
    y -= 6
    line(_("评估人员"), 13, gap=6)
    for form in report.evaluators:
        line(f"{form.group.get_kind_display()}：{_name(form.evaluator)}（{form.get_state_display()}）", indent=12)
    if report.comments:
        line(_("评估意见"), 13, gap=6)
        for comment in report.comments:
            prefix = f"{comment['group']} {comment['evaluator']}"
            if comment.get("item"):
                prefix += f" · {comment['item']}"
            line(f"{prefix}：{comment['text']}", indent=12)
    if report.surveys:
        line(_("满意度调查"), 13, gap=6)
        for entry in report.surveys:
            satisfaction = _plain(entry["satisfaction"]) if entry["satisfaction"] is not None else "—"
            line(
                _("%(title)s：发放 %(issued)d 份，回收 %(answered)d 份，满意度 %(satisfaction)s%%")
                % {
                    "title": entry["survey"].title,
                    "issued": entry["issued"],
                    "answered": entry["answered"],
                    "satisfaction": satisfaction,
                },
                indent=12,
            )
            for mean in entry["means"]:
                line(f"{mean['question']}：{_plain(mean['mean']) if mean['mean'] is not None else '—'}", indent=24)
    if report.corrections:
        line(_("评分更正"), 13, gap=6)
        for correction in report.corrections:
            line(
                _("%(item)s：%(old)s → %(new)s，原因：%(reason)s（%(who)s）")
                % {
                    "item": correction.score.item.name,
                    "old": _plain(correction.old_score),
                    "new": _plain(correction.new_score),
                    "reason": correction.reason,
                    "who": _name(correction.corrected_by),
                },
                indent=12,
            )
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def survey_sheet_pdf(survey: Survey, request) -> bytes:
    """A4 pages of 12 QR codes (3 × 4) of the survey's unused links, each with its short link under it."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from shegong.stations.posters import CJK_FONT, draw_qr
    from shegong.stations.qr import qr_modules

    width, height = A4
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.setTitle(survey.title)
    columns, rows, margin = 3, 4, 36
    cell_w = (width - 2 * margin) / columns
    cell_h = (height - 2 * margin - 30) / rows
    tokens = list(survey.tokens.filter(used_at__isnull=True).order_by("id").values_list("token", flat=True))
    for page_start in range(0, max(len(tokens), 1), columns * rows):
        canvas.setFont(CJK_FONT, 13)
        canvas.drawString(margin, height - margin - 10, survey.title)
        canvas.setFont(CJK_FONT, 8)
        canvas.drawRightString(width - margin, height - margin - 10, _("每个二维码只能提交一次，匿名填写"))
        for index, token in enumerate(tokens[page_start : page_start + columns * rows]):
            column, row = index % columns, index // columns
            x = margin + column * cell_w
            top = height - margin - 30 - row * cell_h
            url = public_url(token, request)
            size = min(cell_w, cell_h) - 40
            draw_qr(canvas, qr_modules(url), x + (cell_w - size) / 2, top - size - 8, size)
            canvas.setFont("Helvetica", 6)
            canvas.drawCentredString(x + cell_w / 2, top - size - 20, url)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def public_url(token: str, request=None) -> str:
    from django.conf import settings

    path = reverse("survey:answer", args=[token])
    if settings.PUBLIC_BASE_URL:
        return settings.PUBLIC_BASE_URL + path
    return request.build_absolute_uri(path) if request is not None else path
