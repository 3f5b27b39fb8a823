from django.urls import path

from cskh.training import views

app_name = "training"

urlpatterns = [
    path("", views.index, name="index"),
    path("bat-buoc/", views.mandatory, name="mandatory"),
    path("bat-buoc/<int:requirement_id>/", views.requirement, name="requirement"),
    path("bat-buoc/<int:requirement_id>/xac-nhan", views.confirm, name="confirm"),
    path("bat-buoc/<int:requirement_id>/nhac", views.remind, name="remind"),
    path("lo-trinh/moi", views.path_new, name="path_new"),
    path("lo-trinh/<int:path_id>/", views.path_detail, name="path"),
    path("lo-trinh/<int:path_id>/dang-ky", views.enroll, name="enroll"),
    path("hoc/<int:enrollment_id>/", views.enrollment, name="enrollment"),
    path("hoc/<int:enrollment_id>/bai/<int:step_id>/", views.quiz, name="quiz"),
    path("hoc/<int:enrollment_id>/chung-nhan", views.certificate, name="certificate"),
    path("kem-cap/", views.coaching, name="coaching"),
    path("kem-cap/moi", views.coaching_new, name="coaching_new"),
    path("kem-cap/<int:session_id>/", views.session, name="session"),
    path("kem-cap/<int:session_id>/xac-nhan", views.session_ack, name="session_ack"),
    path("kem-cap/<int:session_id>/theo-doi", views.session_follow_up, name="session_follow_up"),
    path("nguoi/<int:person_id>/", views.person, name="person"),
]
