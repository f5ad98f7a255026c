from django.urls import path

from pages import views

urlpatterns = [
    path("", views.index, name="index"),
    path("<path:path>/", views.page, name="page"),  # any depth: /about/, /guides/install/
]
