from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/notes/", include("notes.urls")),
    path("", include("pages.urls")),  # last: its catch-all takes any other path
]
