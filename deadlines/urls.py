from django.urls import path

from deadlines import views

app_name = "deadlines"
urlpatterns = [
    path("", views.board, name="board"),
    path("supervise/<int:pk>/", views.supervise, name="supervise"),
]
