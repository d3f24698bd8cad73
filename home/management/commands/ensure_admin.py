"""Create the administrator account if it does not exist, and say how to log in.

ADMIN_USERNAME / ADMIN_PASSWORD come from the environment; without ADMIN_PASSWORD a password is
generated once and kept in var/admin-password.txt, so that every run prints the same one.
An existing account is left as it is (its password is never changed behind its owner's back).
"""
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse


class Command(BaseCommand):
    help = "Crée le compte administrateur (ADMIN_USERNAME / ADMIN_PASSWORD) s'il n'existe pas et affiche l'accès."

    def handle(self, *args, **options):
        User = get_user_model()
        username = os.environ.get("ADMIN_USERNAME", "").strip() or "admin"
        env_password = os.environ.get("ADMIN_PASSWORD", "")
        password_file = Path(settings.VAR_DIR) / "admin-password.txt"

        user = User.objects.filter(username=username).first()
        if env_password:
            password, source = env_password, "ADMIN_PASSWORD"
        elif password_file.is_file():
            password, source = password_file.read_text(encoding="utf-8").strip(), str(password_file)
        else:
            password, source = None, str(password_file)

        if user is None:
            if password is None:
                password = secrets.token_urlsafe(12)
                password_file.parent.mkdir(parents=True, exist_ok=True)
                password_file.write_text(password + "\n", encoding="utf-8")
                password_file.chmod(0o600)
            user = User.objects.create_superuser(username=username, email="", password=password)
            self.stdout.write(f"Compte administrateur « {username} » créé.")
        elif not user.is_superuser or not user.is_staff or not user.is_active:
            raise CommandError(f"Le compte « {username} » existe mais n'est pas un administrateur actif.")
        else:
            self.stdout.write(f"Compte administrateur « {username} » déjà présent (inchangé).")

        base = getattr(settings, "WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
        self.stdout.write(f"Administration : {base}{reverse('wagtailadmin_home')}")
        self.stdout.write(f"Identifiant : {username}")
        if password is not None and user.check_password(password):
            self.stdout.write(f"Mot de passe : {password} (source : {source})")
        else:
            self.stdout.write("Mot de passe : celui choisi à la création du compte (il n'est pas réaffiché).")
