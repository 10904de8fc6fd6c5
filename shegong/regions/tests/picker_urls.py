"""The project's URLs plus one page with region pickers, for the picker's browser test."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import RequestContext, Template
from django.urls import path

from shegong.regions.forms import RegionField
from shegong.urls import urlpatterns as project_urlpatterns

PAGE = Template(
    """{% extends "base.html" %}{% block content %}
<form method="post" data-testid="picker-form">{% csrf_token %}
  <p data-testid="chosen">{{ chosen }}</p>
  {{ form.region }}
  {{ form.errors }}
  <button type="submit" class="btn btn-primary">OK</button>
</form>{% endblock %}{% block scripts %}{{ form.media }}{% endblock %}"""
)


class PickerForm(forms.Form):
    region = RegionField(min_level=4, max_level=5)


@login_required
def picker_page(request):
    form = PickerForm(request.POST or None)
    chosen = form.cleaned_data["region"].code if form.is_valid() else ""
    return HttpResponse(PAGE.render(RequestContext(request, {"form": form, "chosen": chosen})))


urlpatterns = [path("picker-test/", picker_page), *project_urlpatterns]
