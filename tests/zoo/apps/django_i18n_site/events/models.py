import uuid

from django.db import models


class Event(models.Model):
    city = models.CharField(max_length=60)
    date = models.DateField()
    seats = models.PositiveIntegerField(default=20)


class Registration(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    email = models.EmailField()

    class Meta:
        unique_together = [("event", "email")]


class Ticket(models.Model):
    """A place on the wait list, kept under a ticket the visitor's browser holds on to."""
    ticket = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
