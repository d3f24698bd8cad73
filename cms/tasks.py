"""Background work: what must not happen inside a visitor's request (docs/decisions.md, "Task queue").

The queue is django-tasks with the database backend (``django_tasks_db``): a task is a row in the
same database, run by ``manage.py db_worker``. Tests use the immediate backend (run at the call).

Three things for the rest of the code base:

``queue_email(message)``
    Instead of ``message.send()``: the Django ``EmailMessage`` / ``EmailMultiAlternatives`` is turned
    into plain JSON and sent by the ``send_email`` task. An SMTP failure is retried with a back-off
    (``MAX_ATTEMPTS``, ``retry_delay``); the submission that asked for the mail is never lost.

``enqueue(task, *args, **kwargs)``
    Enqueue any task so that it runs only if the caller's transaction commits: with the database
    backend the task row is written in that very transaction (it commits or rolls back with the data
    it is about); a backend outside the database is enqueued by ``transaction.on_commit``.

``schedule_retry(task, attempt, kwargs, error, describe)``
    Inside a task that failed on something temporary (a mail server, a mailing tool's API): enqueue
    attempt ``attempt + 1`` after ``retry_delay(attempt)``, or raise once ``MAX_ATTEMPTS`` are spent.
    The task takes an ``attempt`` keyword argument (1 for the first run).
"""
from __future__ import annotations

import base64
import datetime as dt
import logging
import smtplib

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
"""Runs of a task before it is given up (the last failure is logged as an error and the task FAILED)."""

FIRST_RETRY_DELAY = dt.timedelta(minutes=1)
MAX_RETRY_DELAY = dt.timedelta(hours=6)


def retry_delay(attempt: int) -> dt.timedelta:
    """How long to wait after failed attempt ``attempt``: 1 min, 5 min, 25 min, 2 h 05… (at most 6 h)."""
    return min(FIRST_RETRY_DELAY * 5 ** (attempt - 1), MAX_RETRY_DELAY)


def _stores_in_database(backend) -> bool:
    from django_tasks_db import DatabaseBackend

    return isinstance(backend, DatabaseBackend)


def enqueue(task_, *args, **kwargs) -> None:
    """Enqueue ``task_`` so that it only exists if the caller's transaction commits.

    Database backend: the row is inserted now, inside the caller's transaction (nothing is lost if
    the process dies right after the commit, nothing runs if it rolls back). Immediate backend: run
    now, like the function call it replaces. Any other backend: after the commit.
    """
    backend = task_.get_backend()
    from django_tasks.backends.immediate import ImmediateBackend

    if _stores_in_database(backend) or isinstance(backend, ImmediateBackend):
        task_.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: task_.enqueue(*args, **kwargs))


class GiveUp(Exception):
    """Raised by ``schedule_retry`` when the last attempt failed: the task ends FAILED."""


def schedule_retry(task_, *, attempt: int, kwargs: dict, error: BaseException, describe: str) -> dict:
    """Enqueue the next attempt of ``task_`` after a back-off, or raise ``GiveUp`` after the last one.

    Returns what the failed run reports as its result (``{"retry": attempt + 1, "run_after": …}``).
    A backend that cannot defer a task (the immediate one) gives up at once.
    """
    backend = task_.get_backend()
    if attempt >= MAX_ATTEMPTS or not backend.supports_defer:
        logger.error("%s : échec définitif à la tentative %d/%d (%s)", describe, attempt, MAX_ATTEMPTS, error)
        raise GiveUp(f"{describe} : {error}") from error
    run_after = timezone.now() + retry_delay(attempt)
    retry = task_.using(run_after=run_after).enqueue(**{**kwargs, "attempt": attempt + 1})
    logger.warning("%s : échec à la tentative %d/%d (%s), nouvel essai après %s (tâche %s)",
                   describe, attempt, MAX_ATTEMPTS, error, run_after.isoformat(timespec="seconds"), retry.id)
    return {"retry": attempt + 1, "run_after": run_after.isoformat(), "task": str(retry.id), "error": str(error)}


# --- e-mail ------------------------------------------------------------------------------------------
def email_to_payload(message: EmailMessage) -> dict:
    """A Django e-mail as JSON: every field ``send_email`` needs to build it again in the worker."""
    attachments = []
    for attachment in message.attachments:
        if not isinstance(attachment, tuple):
            raise TypeError("queue_email : les pièces jointes MIME brutes ne sont pas prises en charge ; "
                            "utilisez message.attach(nom, contenu, type).")
        filename, content, mimetype = attachment
        if isinstance(content, bytes):
            attachments.append({"filename": filename, "base64": base64.b64encode(content).decode("ascii"),
                                "mimetype": mimetype})
        else:
            attachments.append({"filename": filename, "content": content, "mimetype": mimetype})
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": {str(k): str(v) for k, v in message.extra_headers.items()},
        "alternatives": [[str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])],
        "attachments": attachments,
        "content_subtype": message.content_subtype,
    }


def payload_to_email(payload: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=payload["subject"], body=payload["body"], from_email=payload.get("from_email"),
        to=payload.get("to") or [], cc=payload.get("cc") or [], bcc=payload.get("bcc") or [],
        reply_to=payload.get("reply_to") or [], headers=payload.get("headers") or {},
    )
    for content, mimetype in payload.get("alternatives") or []:
        message.attach_alternative(content, mimetype)
    for attachment in payload.get("attachments") or []:
        content = (base64.b64decode(attachment["base64"]) if "base64" in attachment else attachment["content"])
        message.attach(attachment["filename"], content, attachment["mimetype"])
    message.content_subtype = payload.get("content_subtype") or "plain"
    return message


def is_permanent(error: BaseException) -> bool:
    """A refusal no retry will change: the server answered 5xx for the sender, the data or every recipient."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)):
        return error.smtp_code >= 500
    return False


@task()
def send_email(*, message: dict, attempt: int = 1) -> dict:
    """Send one e-mail (``email_to_payload``); a transport failure is retried later (``schedule_retry``)."""
    email = payload_to_email(message)
    describe = f"Envoi du courriel « {email.subject} » ({len(email.recipients())} destinataire(s))"
    try:
        email.send()
    except OSError as error:  # smtplib.SMTPException is an OSError, like refused connections and timeouts
        if is_permanent(error):
            logger.error("%s : refusé par le serveur (%s), pas de nouvel essai", describe, error)
            raise GiveUp(f"{describe} : {error}") from error
        return schedule_retry(send_email, attempt=attempt, kwargs={"message": message}, error=error,
                              describe=describe)
    return {"sent": len(email.recipients()), "attempt": attempt}


def queue_email(message: EmailMessage) -> None:
    """Send ``message`` from the task queue (instead of ``message.send()``), once the caller's data is committed."""
    enqueue(send_email, message=email_to_payload(message))
