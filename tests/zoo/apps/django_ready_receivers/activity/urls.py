from django.urls import path

from activity import views

urlpatterns = [path("", views.feed, name="feed")]
