from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("digitization", "0002_page_stitched_halves")]

    operations = [
        migrations.AddIndex(
            model_name="page",
            index=models.Index(fields=["scanned_at", "operator"], name="page_scanned_operator_idx"),
        ),
        migrations.AddIndex(
            model_name="page",
            index=models.Index(fields=["processed_at"], name="page_processed_at_idx"),
        ),
    ]
