"""Public URLs of the newsletter's subscriptions (included before Wagtail's catch-all in cms/urls.py)."""
from django.urls import path

from . import subscribe_views as views

urlpatterns = [
    path("abonnement/", views.subscribe, name="newsletter_subscribe"),
    path("abonnement/merci/", views.subscribe_thanks, name="newsletter_subscribe_thanks"),
    path("abonnement/confirmer/<str:token>/", views.confirm, name="newsletter_confirm"),
    path("desinscription/<str:token>/", views.unsubscribe, name="newsletter_unsubscribe"),
]
