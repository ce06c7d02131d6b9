from django.urls import path

from leaders import views

app_name = "leaders"
urlpatterns = [
    path("", views.home, name="home"),
    path("instructions/", views.instructions, name="instructions"),
    path("matters/<int:pk>/instruct/", views.instruct, name="instruct"),
    path("instructions/<int:pk>/respond/", views.respond, name="respond"),
    path("matters/<int:pk>/case/", views.case_new, name="case_new"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/monthly/", views.cases_monthly, name="monthly"),
    path("matters/<int:pk>/hearing/", views.hearing_new, name="hearing_new"),
    path("hearings/<int:pk>/", views.hearing_detail, name="hearing"),
    path("matters/<int:pk>/meeting/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("tasks/", views.my_tasks, name="tasks"),
    path("tasks/<int:pk>/done/", views.task_done, name="task_done"),
]
