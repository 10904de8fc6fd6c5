from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecruitmentConfig(AppConfig):
    name = "shegong.recruitment"
    verbose_name = _("招聘与薪酬")

    def ready(self):
        from shegong.policies.registry import register
        from shegong.recruitment.guidance import PAY_GUIDANCE
        from shegong.recruitment.sections import register_sections

        # The pay guidance per job grade is this app's rule kind: profiles hold its numbers (DESIGN.md §4).
        register(PAY_GUIDANCE)
        register_sections()
