import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = [("library", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="Entry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=10)),
                ("book", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="entries",
                                           to="library.book")),
            ],
        ),
    ]
