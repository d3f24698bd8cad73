"""Settings of the ``db_worker`` process that tests/test_tasks.py starts.

The test settings, plus: the calling test's database (``WORKER_DATABASE``, JSON), the database task
backend, and e-mails written as files in ``WORKER_EMAIL_DIR`` (the in-memory outbox cannot cross
processes).
"""
import json
import os

from cms.settings.test import *  # noqa: F401,F403 - these settings extend the test ones

DATABASES = {"default": json.loads(os.environ["WORKER_DATABASE"])}
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["WORKER_EMAIL_DIR"]
