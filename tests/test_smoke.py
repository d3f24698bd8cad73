import pytest


@pytest.mark.django_db
def test_home_fixture_serves_the_home_page(client, home):
    response = client.get("/")
    assert response.status_code == 200
    assert "Territoires en Commun" in response.content.decode()
