from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Page",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("slug", models.SlugField(unique=True)),
                ("title_en", models.CharField(max_length=100)),
                ("title_es", models.CharField(max_length=100)),
                ("body", models.TextField(blank=True)),
            ],
        ),
    ]
