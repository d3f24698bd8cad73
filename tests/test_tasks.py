"""The task queue (cms/tasks.py): e-mails leave the request, survive a mail server outage, and a real
``db_worker`` process sends them; Wagtail's index updates go through the same queue."""
import datetime as dt
import json
import logging
import os
import socket
import subprocess
import sys
import time
from email import message_from_bytes, policy
from html import unescape
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.apps import apps
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from cms import tasks
from cms.settings.environment import tasks_from_env
from ressources.contrib.models import DemandeContact
from tests.vote_helpers import make_campaign

ROOT = Path(__file__).resolve().parent.parent
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
SEND_EMAIL = "cms.tasks.send_email"
CONTACT = {"name": "Dominique Petit", "collectivite": "Commune de Lodève", "job_title": "Maire adjointe",
           "email": "d.petit@lodeve.example", "thematique": "", "message": "Nous voulons lancer un budget participatif.",
           "site_web": ""}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the forms' rate limits
    yield
    cache.clear()


@pytest.fixture
def team_address(db):
    from cms.models import SiteSettings

    site_settings = SiteSettings.load()
    site_settings.editorial_email = "accompagnement@anct.example"
    site_settings.save()
    return site_settings.editorial_email


class Inbox:
    """aiosmtpd handler: keeps what it receives; ``refuse`` answers 550 to every recipient."""

    def __init__(self, refuse=False):
        self.envelopes, self.refuse = [], refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.1.1 Destinataire inconnu"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class MailServer:
    """A local SMTP port where nothing listens until ``start()``."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.inbox = Inbox()
        self.controller = None

    def start(self, refuse=False):
        self.inbox.refuse = refuse
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        return [message_from_bytes(envelope.content, policy=policy.default) for envelope in self.inbox.envelopes]


@pytest.fixture
def smtp(settings):
    """Real SMTP e-mail and the database task backend; the mail server is down until ``smtp.start()``."""
    server = MailServer()
    settings.TASKS = DB_TASKS
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.stop()


def run_worker(monkeypatch):
    """django-tasks-db's worker, in this process, until no task is due (``--batch``)."""
    # The worker closes stale connections between tasks; here that would be the test's own transaction.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    db_worker.Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                     max_tasks=None, worker_id="test-worker", excluded_queue_names=[]).run()


def mail_tasks(**filters):
    return DBTaskResult.objects.filter(task_path=SEND_EMAIL, **filters)


def time_passes():
    """Every scheduled retry is due now."""
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())


def a_message(**overrides):
    fields = {"subject": "Bienvenue à Lodève", "body": "Bonjour,\nà bientôt.", "to": ["agent@lodeve.example"]}
    fields.update(overrides)
    message = EmailMultiAlternatives(**fields)
    message.attach_alternative("<p>Bonjour,<br>à bientôt.</p>", "text/html")
    return message


# --- settings ---------------------------------------------------------------------------------------
def test_production_and_dev_use_the_database_queue_and_tests_run_tasks_at_once(settings):
    assert tasks_from_env({})["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert tasks_from_env({"TASKS_BACKEND": "immediate"})["default"]["BACKEND"].endswith("ImmediateBackend")
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks.backends.immediate.ImmediateBackend"
    with pytest.raises(ImproperlyConfigured, match="TASKS_BACKEND doit valoir database ou immediate"):
        tasks_from_env({"TASKS_BACKEND": "rq"})


# --- the message survives the queue ------------------------------------------------------------------
def test_a_queued_message_is_rebuilt_field_for_field():
    message = a_message(cc=["elus@lodeve.example"], bcc=["archives@anct.example"], reply_to=["equipe@anct.example"],
                        headers={"X-Campagne": "2027"}, from_email="ANCT <ne-pas-repondre@anct.example>")
    message.attach("programme.pdf", b"%PDF-1.4 \x00\xff", "application/pdf")
    message.attach("lisez-moi.txt", "Texte accentué", "text/plain")
    payload = json.loads(json.dumps(tasks.email_to_payload(message)))  # what the database stores
    rebuilt = tasks.payload_to_email(payload)
    for field in ("subject", "body", "from_email", "to", "cc", "bcc", "reply_to", "extra_headers", "alternatives"):
        assert getattr(rebuilt, field) == getattr(message, field), field
    assert [tuple(a) for a in rebuilt.attachments] == [tuple(a) for a in message.attachments]


@pytest.mark.django_db
def test_with_the_immediate_backend_the_mail_leaves_at_the_call():
    tasks.queue_email(a_message())
    assert [m.subject for m in mail.outbox] == ["Bienvenue à Lodève"]
    assert mail.outbox[0].alternatives[0][1] == "text/html"


@pytest.mark.django_db
def test_a_task_enqueued_in_a_transaction_that_rolls_back_never_exists(settings):
    settings.TASKS = DB_TASKS
    with pytest.raises(RuntimeError), transaction.atomic():
        tasks.queue_email(a_message())
        assert mail_tasks().count() == 1
        raise RuntimeError("the submission failed")
    assert not mail_tasks().exists()


# --- the mail server is down -------------------------------------------------------------------------
@pytest.mark.django_db
def test_contact_request_is_kept_and_its_mails_wait_for_the_mail_server(client, team_address, smtp, monkeypatch, caplog):
    response = client.post("/contact/", CONTACT)
    assert response.status_code == 302  # the visitor is thanked: nothing was sent yet
    assert DemandeContact.objects.get().email == "d.petit@lodeve.example"
    assert mail_tasks(status=TaskResultStatus.READY).count() == 2

    before = timezone.now()
    with caplog.at_level(logging.WARNING, logger="cms.tasks"):
        run_worker(monkeypatch)
    assert not smtp.messages
    assert mail_tasks(status=TaskResultStatus.SUCCESSFUL).count() == 2  # the first attempts ran…
    retries = list(mail_tasks(status=TaskResultStatus.READY))  # …and scheduled a second one each
    assert len(retries) == 2
    for retry in retries:
        assert retry.args_kwargs["kwargs"]["attempt"] == 2
        assert retry.run_after >= before + tasks.retry_delay(1) - dt.timedelta(seconds=1)
    warnings = [r for r in caplog.records if r.name == "cms.tasks" and r.levelno == logging.WARNING]
    assert len(warnings) == 2 and all("tentative 1/5" in r.getMessage() for r in warnings)

    run_worker(monkeypatch)  # not due yet: nothing is tried again
    assert mail_tasks(status=TaskResultStatus.READY).count() == 2

    smtp.start()
    time_passes()
    run_worker(monkeypatch)
    received = {tuple(e.rcpt_tos): m for e, m in zip(smtp.inbox.envelopes, smtp.messages, strict=True)}
    assert sorted(received) == [("accompagnement@anct.example",), ("d.petit@lodeve.example",)]
    assert received[("d.petit@lodeve.example",)]["Subject"].strip() == "Nous avons bien reçu votre demande"
    assert received[("d.petit@lodeve.example",)]["Reply-To"] == "accompagnement@anct.example"
    assert received[("accompagnement@anct.example",)]["Subject"].strip().startswith("Demande de contact : Dominique Petit")
    assert not mail_tasks(status=TaskResultStatus.READY).exists()
    assert not mail_tasks(status=TaskResultStatus.FAILED).exists()


@pytest.mark.django_db
def test_vote_is_recorded_and_its_confirmation_link_sent_once_the_mail_server_is_back(client, home, make_thematique,
                                                                                       smtp, monkeypatch):
    VotePage = apps.get_model("thematiques", "VotePage")
    Collectivite = apps.get_model("thematiques", "Collectivite")
    Ballot = apps.get_model("thematiques", "Ballot")
    page = home.add_child(instance=VotePage(title="Votez pour une thématique", slug="votez"))
    page.save_revision().publish()
    campaign = make_campaign([make_thematique("Petite enfance"), make_thematique("Droit à la mobilité")])
    Collectivite.objects.create(code="34172", code_insee="34172", nom="Montpellier", echelon="com",
                                departement="34", region="76", population=300000)
    proposition = campaign.propositions.order_by("sort_order")[0]
    response = client.post(page.url, {"collectivite": "34172", "email": "agent@ville-montpellier.fr",
                                      "thematiques": [proposition.pk], "site_internet": ""})
    assert response.status_code == 200
    assert "Vérifiez votre messagerie" in unescape(response.content.decode())
    assert Ballot.objects.get().email == "agent@ville-montpellier.fr"

    run_worker(monkeypatch)  # server down: the link waits
    assert not smtp.messages and mail_tasks(status=TaskResultStatus.READY).count() == 1

    smtp.start()
    time_passes()
    run_worker(monkeypatch)
    assert len(smtp.messages) == 1
    assert smtp.inbox.envelopes[0].rcpt_tos == ["agent@ville-montpellier.fr"]
    text = smtp.messages[0].get_body(preferencelist=("plain",)).get_content()
    assert "/votes/confirmer/?jeton=" in text


@pytest.mark.django_db
def test_the_last_attempt_fails_the_task_with_an_error_logged(smtp, monkeypatch, caplog):
    tasks.send_email.enqueue(message=tasks.email_to_payload(a_message()), attempt=tasks.MAX_ATTEMPTS)
    with caplog.at_level(logging.WARNING, logger="cms.tasks"):
        run_worker(monkeypatch)
    task = mail_tasks().get()
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path == "cms.tasks.GiveUp"
    errors = [r for r in caplog.records if r.name == "cms.tasks" and r.levelno == logging.ERROR]
    assert len(errors) == 1 and "échec définitif à la tentative 5/5" in errors[0].getMessage()


@pytest.mark.django_db
def test_a_recipient_the_server_refuses_is_not_retried(smtp, monkeypatch):
    smtp.start(refuse=True)
    tasks.queue_email(a_message())
    run_worker(monkeypatch)
    assert mail_tasks().get().status == TaskResultStatus.FAILED
    assert not smtp.messages


@pytest.mark.django_db
def test_with_the_immediate_backend_a_dead_mail_server_still_keeps_the_submission(client, team_address, settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", MailServer().port
    with caplog.at_level(logging.ERROR, logger="cms.tasks"):
        response = client.post("/contact/", CONTACT)
    assert response.status_code == 302
    assert DemandeContact.objects.count() == 1
    assert any("échec définitif" in r.getMessage() for r in caplog.records if r.name == "cms.tasks")


# --- Wagtail's own background work ---------------------------------------------------------------
@pytest.mark.django_db
def test_wagtail_search_and_reference_index_updates_go_through_the_queue(settings, thematique_index, monkeypatch):
    from thematiques.models import ThematiquePage

    settings.TASKS = DB_TASKS
    page = thematique_index.add_child(instance=ThematiquePage(title="Budget participatif des écoles", chapo="Chapô"))
    queued = set(DBTaskResult.objects.filter(status=TaskResultStatus.READY).values_list("task_path", flat=True))
    assert {"modelsearch.tasks.insert_or_update_object_task", "wagtail.tasks.update_reference_index_task"} <= queued
    assert page not in ThematiquePage.objects.search("budget participatif")  # not indexed until the worker runs
    run_worker(monkeypatch)
    assert not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists()
    assert page in ThematiquePage.objects.search("budget participatif")


# --- a real worker process -----------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_a_db_worker_process_sends_the_queued_mail(settings, tmp_path):
    settings.TASKS = DB_TASKS
    tasks.queue_email(a_message())
    task = mail_tasks().get()
    assert task.status == TaskResultStatus.READY

    database = {key: connection.settings_dict[key] for key in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT", "OPTIONS")}
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.worker_settings", "WORKER_DATABASE": json.dumps(database, default=str),
           "WORKER_EMAIL_DIR": str(tmp_path)}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "manage.py", "db_worker", "--batch", "--interval", "0", "--no-startup-delay",
                           "--no-reload"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stdout + done.stderr

    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL, task.traceback
    assert task.return_value == {"sent": 1, "attempt": 1}
    sent = [path.read_text() for path in tmp_path.iterdir()]
    assert len(sent) == 1
    assert "To: agent@lodeve.example" in sent[0] and "text/html" in sent[0]
    print(f"db_worker --batch: started, sent 1 mail and exited in {elapsed:.1f} s")
