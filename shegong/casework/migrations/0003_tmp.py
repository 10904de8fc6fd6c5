"""No operations: other apps' first migrations were generated against this name while the stage-content models were
being written (they now live in 0002); kept so their dependency holds."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("casework", "0002_caseevaluation_caseplan_caseassessment_casecrisis_and_more")]
    operations = []
