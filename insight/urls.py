from django.urls import path

from insight import views

app_name = "insight"
urlpatterns = [
    path("", views.home, name="home"),
    path("suggest/", views.suggest, name="suggest"),
    path("similar/", views.similar, name="similar"),
    path("answer-lines/<int:pk>/", views.answer_lines, name="answer_lines"),
    path("matter/<int:pk>/", views.matter_panel, name="matter_panel"),
]
