from django.urls import path

from handling import views

app_name = "handling"
urlpatterns = [
    path("bulk-transfer/", views.bulk_transfer, name="bulk_transfer"),
    path("<int:pk>/<slug:name>/", views.action, name="action"),
]
