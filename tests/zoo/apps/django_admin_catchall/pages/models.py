from django.db import models


class Page(models.Model):
    path = models.CharField(max_length=200, unique=True)  # "guides/install", without slashes at the ends
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)

    def __str__(self):
        return self.title
