from django.db import models


class Book(models.Model):
    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, blank=True)
    reader = models.CharField(max_length=60, blank=True)
