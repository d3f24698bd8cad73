"""Public URLs of the contribution flows (included before Wagtail's catch-all in cms/urls.py)."""
from django.urls import path

from . import views

urlpatterns = [
    path("contribuer/evenement/", views.contribuer_evenement, name="contribuer_evenement"),
    path("contribuer/evenement/merci/", views.contribuer_evenement_merci, name="contribuer_evenement_merci"),
    path("contribuer/collectivites/", views.collectivites_suggestions, name="contribuer_collectivites"),
    path("contact/", views.contact_anct, name="contact_anct"),
    path("contact/merci/", views.contact_anct_merci, name="contact_anct_merci"),
]
