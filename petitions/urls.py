from django.urls import path

from petitions import views

app_name = "petitions"
urlpatterns = [
    path("", views.petition_list, name="list"),
    path("register/", views.register, name="register"),
    path("register/check/", views.register_check, name="register_check"),
    path("<int:pk>/", views.petition_detail, name="detail"),
    path("<int:pk>/people/", views.petition_people, name="people"),
    path("petitioners/<int:pk>/", views.petitioner_detail, name="petitioner"),
    path("petitioners/<int:pk>/full/", views.petitioner_full, name="petitioner_full"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:pk>/", views.import_status, name="import_status"),
    path("import/<int:pk>/run/", views.import_run, name="import_run"),
]
