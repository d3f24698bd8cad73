"""An admin import run by the task queue: the uploaded files, each file's progress and its report.

Loaded by ``NewsletterConfig.import_models`` (Django loads only ``<app>.models``): the table belongs to
the newsletter app (migration ``0011_importjob``)."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """One upload of the admin import: its options, and ``done`` once every file has its report."""

    index = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("archive de la newsletter"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("demandé par"))
    dry_run = models.BooleanField(_("simulation"), default=True)
    publish = models.BooleanField(_("publier les pages créées"), default=False)
    created_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    done = models.BooleanField(_("terminé"), default=False)

    class Meta:
        app_label = "newsletter"
        verbose_name = _("import d'éditions")
        verbose_name_plural = _("imports d'éditions")

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class ImportJobFile(models.Model):
    """One uploaded file of a job: its bytes until it is read, its state, then its report's lines."""

    class State(models.TextChoices):
        WAITING = "waiting", _("en attente")
        RUNNING = "running", _("en cours d'import")
        DONE = "done", _("importé")
        FAILED = "failed", _("échec")

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="files")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(_("nom du fichier"), max_length=255)
    data = models.BinaryField(_("contenu"), blank=True, default=b"")
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.WAITING)
    lines = models.JSONField(_("rapport"), default=list, blank=True)

    class Meta:
        app_label = "newsletter"
        ordering = ["position"]
        verbose_name = _("fichier d'un import")
        verbose_name_plural = _("fichiers d'un import")

    def __str__(self):
        return self.name

    @property
    def ok(self) -> bool:
        return self.state == self.State.DONE

    @property
    def step(self) -> int:
        """For the progress bar (out of 2): waiting 0, running 1, finished 2."""
        return {self.State.WAITING: 0, self.State.RUNNING: 1}.get(self.state, 2)
