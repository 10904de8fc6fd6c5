"""Every page of the evaluations app × every named user, in and out of scope (shegong/testing/matrix.py).

Bureaus see their region's evaluations; the evaluator only those assigned to them (evaluator_2, holding the same
role over 广州 but assigned nothing, gets 404); the contractor's admin only published ones; everyone else 403.
"""

import pytest

from shegong.evaluations.tests.factories import expert, scene
from shegong.testing.matrix import ViewCase

pytestmark = pytest.mark.django_db

ORGANISERS_A = {"city_admin": 200, "district_a_admin": 200}
OUT = {"district_b_admin": 404, "outsider": 404}


def _case(name, expected, default=403, **kwargs):
    return ViewCase(name, {"anonymous": 302, **expected}, default=default, **kwargs)


def ev_a(w):
    return [w.ev_a.pk]


def ev_b(w):
    return [w.ev_b.pk]


def tpl_a(w):
    return [w.template_a.pk]


CIVIL = {"city_admin": 200, "district_a_admin": 200, "district_b_admin": 200, "outsider": 200}
CASES = [
    _case("evaluations:list", {**CIVIL, "evaluator": 200, "agency_admin_a": 200, "evaluator_2": 200}),
    _case("evaluations:mine", {**CIVIL, "evaluator": 200, "evaluator_2": 200}),
    _case("evaluations:create", CIVIL),
    _case(
        "evaluations:detail",
        {**ORGANISERS_A, **OUT, "evaluator": 200, "agency_admin_a": 404, "evaluator_2": 404},
        args=ev_a,
        out_of_scope=ev_b,
        out_of_scope_users=["district_a_admin", "evaluator", "agency_admin_a"],
    ),
    _case(
        "evaluations:detail",
        {**ORGANISERS_A, **OUT, "agency_admin_a": 200, "evaluator": 404, "evaluator_2": 404},
        args=lambda w: [w.ev_pub.pk],
        label="detail of a published evaluation",
    ),
    _case(
        "evaluations:assign",
        {"city_admin": 302, "district_a_admin": 302, **OUT},
        args=ev_a,
        method="post",
        out_of_scope=ev_b,
        out_of_scope_users=["district_a_admin"],
    ),
    _case(
        "evaluations:unassign",
        {"city_admin": 302, "district_a_admin": 302, **OUT},
        args=lambda w: [w.ev_a.pk, w.form_p.pk],
        method="post",
    ),
    _case(
        "evaluations:move",
        {"city_admin": 302, "district_a_admin": 302, **OUT},
        args=ev_a,
        method="post",
        data={"to": "published"},
        out_of_scope=ev_b,
        out_of_scope_users=["district_a_admin"],
    ),
    _case(
        "evaluations:survey_issue",
        {"city_admin": 302, "district_a_admin": 302, **OUT},
        args=ev_a,
        method="post",
        data={"audience": "recipient", "count": "0"},
    ),
    _case("evaluations:survey_sheet", {**ORGANISERS_A, **OUT}, args=lambda w: [w.ev_a.pk, w.survey_a.pk]),
    *[
        _case(
            name,
            {**ORGANISERS_A, **OUT, "evaluator": 404, "agency_admin_a": 404, "evaluator_2": 404},
            args=ev_a,
            out_of_scope=ev_b,
            out_of_scope_users=["district_a_admin"],
        )
        for name in ("evaluations:report", "evaluations:report_pdf", "evaluations:report_xlsx")
    ],
    *[
        _case(
            name,
            {**ORGANISERS_A, **OUT, "agency_admin_a": 200, "evaluator": 404, "evaluator_2": 404},
            args=lambda w: [w.ev_pub.pk],
            label=f"{name} published",
        )
        for name in ("evaluations:report", "evaluations:report_pdf", "evaluations:report_xlsx")
    ],
    _case(
        "evaluations:form",
        {**ORGANISERS_A, **OUT, "evaluator": 200, "evaluator_2": 404},
        args=lambda w: [w.form_a.pk],
    ),
    _case(
        "evaluations:correct",
        {"evaluator": 200, "city_admin": 404, "district_a_admin": 404, **OUT, "evaluator_2": 404},
        args=lambda w: [w.form_a.pk, w.score_a.pk],
    ),
    _case(
        "evaluations:evidence",
        {**ORGANISERS_A, **OUT, "evaluator": 200, "agency_admin_a": 404, "evaluator_2": 404},
        args=lambda w: [w.evidence_a.pk],
    ),
    _case("evaluations:template_list", {**CIVIL, "evaluator": 200, "evaluator_2": 200}),
    _case(
        "evaluations:template_detail",
        {
            "city_admin": 200,
            "district_a_admin": 200,
            "district_b_admin": 200,
            "outsider": 404,
            "evaluator": 200,
            "evaluator_2": 200,
        },
        args=lambda w: [w.preset_mid.pk],
    ),
    _case(
        "evaluations:template_detail",
        {**ORGANISERS_A, **OUT, "evaluator": 200, "evaluator_2": 200},
        args=tpl_a,
        label="detail of 越秀区's own template",
    ),
    _case("evaluations:template_create", CIVIL),
    _case(
        "evaluations:template_copy",
        {"city_admin": 200, "district_a_admin": 200, "district_b_admin": 200, "outsider": 404},
        args=lambda w: [w.preset_mid.pk],
    ),
    *[
        _case(name, {**ORGANISERS_A, **OUT}, args=tpl_a)
        for name in ("evaluations:template_edit", "evaluations:template_weights")
    ],
    *[
        _case(name, {"city_admin": 302, "district_a_admin": 302, **OUT}, args=args, method="post")
        for name, args in (
            ("evaluations:node_add", tpl_a),
            ("evaluations:node_remove", lambda w: [w.template_a.pk, w.template_a.nodes.first().pk]),
            ("evaluations:group_set", tpl_a),
        )
    ],
    ViewCase("survey:answer", {}, default=200, args=lambda w: [w.token_a.token]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_permission_matrix(client, world, case):
    scene(world)
    case.check(client, world, users={"evaluator_2": expert("evaluator_2")})
