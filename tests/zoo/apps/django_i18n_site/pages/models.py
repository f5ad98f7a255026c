from django.db import models


class Page(models.Model):
    slug = models.SlugField(unique=True)
    title_en = models.CharField(max_length=100)
    title_es = models.CharField(max_length=100)
    body = models.TextField(blank=True)

    def title(self, language):
        return self.title_es if language == "es" else self.title_en
