"""Template helpers for accounts pages."""

from django import template

from shegong.accounts.selectors import role_description, role_label

register = template.Library()

register.filter("role_label", role_label)
register.filter("role_description", role_description)
