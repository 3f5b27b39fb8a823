from django.urls import path

from cskh.conversations import views

app_name = "conversations"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/live", views.live_stream, name="live"),
    path("inbox/kb", views.kb_search, name="kb"),
    path(
        "inbox/customers/<int:customer_id>/history",
        views.customer_history,
        name="customer_history",
    ),
    path("inbox/c/<int:conversation_id>/", views.pane, name="pane"),
    path("inbox/c/<int:conversation_id>/heartbeat", views.heartbeat, name="heartbeat"),
    path("inbox/c/<int:conversation_id>/reply", views.reply, name="reply"),
    path("inbox/c/<int:conversation_id>/note", views.note, name="note"),
    path("inbox/c/<int:conversation_id>/close", views.close, name="close"),
    path("inbox/c/<int:conversation_id>/take", views.take, name="take"),
    path("inbox/c/<int:conversation_id>/link", views.link_customer, name="link"),
    path("inbox/c/<int:conversation_id>/case", views.open_case, name="open_case"),
    path("chat/widget.js", views.widget_js, name="widget_js"),
    path("chat/demo/", views.chat_demo, name="chat_demo"),
    path("chat/api/start", views.chat_start, name="chat_start"),
    path("chat/api/messages", views.chat_messages, name="chat_messages"),
]
