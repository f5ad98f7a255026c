from django.db import models


class Entry(models.Model):
    book = models.ForeignKey("library.Book", on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=10)
