from django.urls import path

from cskh.desk import views

app_name = "desk"

urlpatterns = [
    path("desk/", views.home, name="home"),
    path("desk/live", views.live_stream, name="live"),
    path("desk/idle", views.idle, name="idle"),
    path("desk/pop/<int:interaction_id>/", views.pop, name="pop"),
    path("desk/customers/find", views.find_customer, name="find_customer"),
    path("desk/customers/new", views.customer_create, name="customer_create"),
    path("desk/customers/<int:customer_id>/card", views.customer_card, name="card"),
    path("desk/customers/<int:customer_id>/cases", views.card_cases, name="card_cases"),
    path("desk/log", views.log_case, name="log_case"),
    path("desk/canned", views.canned, name="canned"),
    path("desk/suggest", views.suggest, name="suggest"),
    path("desk/presence", views.presence, name="presence"),
    path("desk/wrapup", views.wrapup, name="wrapup"),
    path("desk/call", views.click_to_call, name="call"),
    path("desk/callbacks/schedule", views.schedule_callback, name="schedule_callback"),
    path(
        "desk/callbacks/scheduled/<int:callback_id>/done",
        views.scheduled_callback_done,
        name="scheduled_callback_done",
    ),
    path("desk/wrapup/form", views.wrapup_form, name="wrapup_form"),
    path("desk/queue/", views.queue, name="queue"),
    path("desk/queue/assign", views.queue_assign, name="queue_assign"),
    path("desk/callbacks/<int:task_id>/done", views.callback_done, name="callback_done"),
    path("desk/cases/<str:number>/", views.case_detail, name="case"),
    path("desk/cases/<str:number>/transition", views.case_transition, name="case_transition"),
    path("desk/cases/<str:number>/note", views.case_note, name="case_note"),
    path("desk/cases/<str:number>/assign", views.case_assign, name="case_assign"),
    path("desk/cases/<str:number>/link", views.case_link, name="case_link"),
    path("desk/supervisor/", views.supervisor, name="supervisor"),
]
