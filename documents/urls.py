from django.urls import path

from documents import views

app_name = "documents"
urlpatterns = [
    path("<int:pk>/docx/", views.download, {"fmt": "docx"}, name="docx"),
    path("<int:pk>/pdf/", views.download, {"fmt": "pdf"}, name="pdf"),
    path("<int:pk>/delivered/", views.deliver, name="deliver"),
    path("petition/<int:petition_id>/", views.petition_documents, name="for_petition"),
    path("templates/<int:pk>/preview/", views.preview, name="preview"),
]
