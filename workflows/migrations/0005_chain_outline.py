from django.db import migrations, models
from django.db.models import F


def outline_at_head(apps, schema_editor):
    """The outline starts where the chain is: values kept from now on are keyed by this state of the data."""
    apps.get_model("workflows", "ChainHead").objects.filter(pk=1).update(
        outline_sequence=F("sequence"), outline_hash=F("hash")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0004_personal_data_access"),
    ]

    operations = [
        migrations.AddField(
            model_name="chainhead",
            name="outline_sequence",
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="chainhead",
            name="outline_hash",
            field=models.CharField(default="0" * 64, max_length=64),
        ),
        migrations.RunPython(outline_at_head, migrations.RunPython.noop),
    ]
