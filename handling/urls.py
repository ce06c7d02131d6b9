from django.urls import path

from handling import views

app_name = "handling"
urlpatterns = [
    path("<int:pk>/<slug:name>/", views.action, name="action"),
]
