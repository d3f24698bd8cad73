"""Moderation views in the Wagtail admin: publish a contribution in the agenda, refuse it, mark a
contact request handled. Each is a confirmation page (GET) and an action (POST, CSRF-protected);
only users with the "change" permission of the model (Editors, Moderators) get past ``dispatch``."""
from django.contrib import messages
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from wagtail_modeladmin.views import InstanceSpecificView

from ..forms import AcceptForm, RefuseForm
from . import services
from .models import ContributionEvenement


def format_dates(contribution) -> str:
    return render_to_string("ressources/contributions/emails/_dates.txt", {"contribution": contribution}).strip()


class ModerationView(InstanceSpecificView):
    template_name = "ressources/contributions/admin/action.html"
    form_class = None
    action_label = ""

    def check_action_permitted(self, user):
        return self.permission_helper.user_can_moderate(user)

    def get_page_title(self):
        return self.action_label

    def form_data(self):
        return self.request.POST if self.request.method == "POST" else None

    def get_form(self):
        return self.form_class(self.form_data())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        context.update({"action_label": self.action_label, "submit_label": self.submit_label,
                        "inspect_url": self.url_helper.get_action_url("inspect", self.pk_quoted),
                        "intro": self.get_intro(), "dates": self.get_dates()})
        return context

    def get_intro(self):
        return ""

    def get_dates(self):
        return ""

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            return self.form_valid(form)
        except services.ModerationError as exc:
            messages.error(request, str(exc))
            return self.render_to_response(self.get_context_data(form=form))


class ContributionActionView(ModerationView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.check_action_permitted(request.user) \
                and self.instance.status != ContributionEvenement.Status.NOUVELLE:
            messages.warning(request, _("Cette contribution a déjà été traitée (%(status)s) : rien n'a été modifié.")
                             % {"status": self.instance.get_status_display().lower()})
            return redirect(self.url_helper.get_action_url("inspect", self.pk_quoted))
        return super().dispatch(request, *args, **kwargs)

    def get_dates(self):
        return format_dates(self.instance)


class AcceptView(ContributionActionView):
    form_class = AcceptForm
    action_label = _("Publier dans l'agenda")
    submit_label = _("Créer l'événement")

    def get_form(self):
        return AcceptForm(self.form_data(), can_publish=services.can_publish(self.request.user))

    def get_intro(self):
        return _("L'événement sera créé dans l'agenda avec les informations proposées (le texte est repris tel "
                 "quel, sans mise en forme). La personne qui l'a proposé en sera informée par courriel.")

    def form_valid(self, form):
        publish = form.cleaned_data["mode"] == AcceptForm.PUBLISH
        result = services.accept(self.instance.pk, self.request.user, publish=publish)
        if not result.created:
            messages.warning(self.request, _("Cette contribution a déjà été traitée : aucun nouvel événement n'a été créé."))
            return redirect(self.url_helper.get_action_url("inspect", self.pk_quoted))
        if publish:
            messages.success(self.request, _("L'événement « %(title)s » est publié dans l'agenda.")
                             % {"title": result.contribution.title})
            return redirect(self.index_url)
        messages.success(self.request, _("L'événement « %(title)s » est créé en brouillon : relisez-le puis publiez-le.")
                         % {"title": result.contribution.title})
        return redirect("wagtailadmin_pages:edit", result.contribution.evenement_id)


class RefuseView(ContributionActionView):
    form_class = RefuseForm
    action_label = _("Refuser la contribution")
    submit_label = _("Refuser et envoyer le motif")

    def get_intro(self):
        return _("Le motif sera envoyé par courriel à la personne qui a proposé l'événement. Rien ne sera publié.")

    def form_valid(self, form):
        services.refuse(self.instance.pk, self.request.user, form.cleaned_data["reason"])
        messages.success(self.request, _("La contribution « %(title)s » est refusée ; le motif a été envoyé.")
                         % {"title": self.instance.title})
        return redirect(self.index_url)


class MarkHandledView(ModerationView):
    template_name = "ressources/contributions/admin/action.html"

    @property
    def action_label(self):
        return _("Marquer comme non traitée") if self.instance.handled else _("Marquer comme traitée")

    submit_label = property(lambda self: self.action_label)

    def get_form(self):
        from django import forms

        return forms.Form(self.form_data())

    def form_valid(self, form):
        demande = services.mark_handled(self.instance.pk, self.request.user, handled=not self.instance.handled)
        if demande.handled:
            messages.success(self.request, _("La demande de %(name)s est marquée comme traitée.") % {"name": demande.name})
        else:
            messages.success(self.request, _("La demande de %(name)s est marquée comme non traitée.") % {"name": demande.name})
        return redirect(self.index_url)
