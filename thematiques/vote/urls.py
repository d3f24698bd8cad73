"""Public endpoints of the theme vote (the vote form itself is the VotePage, served by Wagtail)."""
from django.urls import path

from . import views

app_name = "thematiques"

urlpatterns = [
    path("confirmer/", views.confirm, name="vote_confirm"),
    path("collectivites/", views.collectivites_autocomplete, name="collectivites_autocomplete"),
    path("projets-partages/<id:projet_id>/candidater/", views.candidature, name="candidature"),
]
