"""The API docs load offline: Swagger UI from the app's own static files, never a CDN (#21)."""

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_swagger_is_served_from_local_static_files(client, agent):
    client.force_login(agent)
    r = client.get("/api/v1/docs")
    assert r.status_code == 200
    html = r.content.decode()
    assert "cdn." not in html and "jsdelivr" not in html and "unpkg" not in html
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert finders.find("ninja/swagger-ui-bundle.js")
