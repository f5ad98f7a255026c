"""The feed follows the library: a book gets its slug before it is first saved, and every save that adds or
lends a book leaves an entry. Connected by ActivityConfig.ready(), so in every process that runs
django.setup() with this app installed, whichever view saves the book."""
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils.text import slugify

from activity.models import Entry
from library.models import Book


@receiver(pre_save, sender=Book)
def give_a_slug(sender, instance, **kwargs):
    if not instance.slug:
        instance.slug = slugify(instance.title)


@receiver(post_save, sender=Book)
def note_the_change(sender, instance, created, **kwargs):
    if created:
        Entry.objects.create(book=instance, kind="added")
    elif instance.reader:
        Entry.objects.create(book=instance, kind="lent")
