from django.urls import path

from library import views

urlpatterns = [
    path("", views.books, name="books"),
    path("<slug:slug>/lend/", views.lend, name="lend"),
]
