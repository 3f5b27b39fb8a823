from django.urls import path

from cskh.counters import views

app_name = "counters"

urlpatterns = [
    # public: the kiosk, the display board and its live stream, appointment booking
    path("quay/<str:code>/", views.kiosk, name="kiosk"),
    path("quay/<str:code>/man-hinh/", views.display, name="display"),
    path("quay/<str:code>/man-hinh/bang", views.display_board, name="display_board"),
    path("quay/<str:code>/live", views.display_live, name="display_live"),
    path("dat-lich/", views.booking, name="booking"),
    # counter staff
    path("quay-giao-dich/", views.staff_home, name="staff_home"),
    path("quay-giao-dich/so-lieu/", views.figures_page, name="figures"),
    path("quay-giao-dich/<str:code>/<int:number>/", views.counter_page, name="counter"),
    path(
        "quay-giao-dich/<str:code>/<int:number>/<str:action>",
        views.counter_action,
        name="counter_action",
    ),
]
