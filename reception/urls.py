from django.urls import path

from reception import views

app_name = "reception"
urlpatterns = [
    path("", views.home, name="home"),
    path("centers/new/", views.center_new, name="center_new"),
    path("centers/<int:pk>/", views.center, name="center"),
    path("centers/<int:pk>/display/", views.display, name="display"),
    path("centers/<int:pk>/display/board/", views.display_board, name="display_board"),
    path("screen/<str:key>/", views.screen, name="screen"),
    path("screen/<str:key>/board/", views.screen_board, name="screen_board"),
    path("desks/<int:pk>/", views.desk, name="desk"),
    path("desks/<int:pk>/queue/", views.desk_queue, name="desk_queue"),
    path("desks/<int:pk>/issue/", views.issue, name="issue"),
    path("desks/<int:pk>/call/", views.call_next, name="call_next"),
    path("tickets/<int:pk>/", views.ticket, name="ticket"),
    path("tickets/<int:pk>/<slug:name>/", views.ticket_action, name="ticket_action"),
    path("roster/", views.roster, name="roster"),
    path("roster/<int:pk>/", views.duty, name="duty"),
    path("appointments/", views.appointments, name="appointments"),
    path("appointments/<int:pk>/<slug:name>/", views.appointment_action, name="appointment_action"),
    path("outreach/", views.outreach, name="outreach"),
    path("lawyers/", views.lawyers, name="lawyers"),
    path("incidents/", views.incidents, name="incidents"),
    path("incidents/<int:pk>/", views.incident, name="incident"),
    path("stats/", views.stats, name="stats"),
]
