"""{% project_evaluations project user %}: a project's evaluations for its detail page (the projects app's
project_extra_sections hook), scoped to the viewer."""

from django import template

from shegong.evaluations import selectors

register = template.Library()


@register.inclusion_tag("evaluations/_project_evaluations.html")
def project_evaluations(project, user):
    return {
        "project": project,
        "evaluations": selectors.of_project(user, project),
        "can_create": user.has_perm(selectors.ORGANISE),
    }
