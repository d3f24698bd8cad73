"""``manage.py load_scale``: content at Territoires Conseils' size on top of the demo (see home/scale.py)."""
import time

from django.core.management.base import BaseCommand, CommandError


def positive(value):
    try:
        number = int(value)
    except ValueError:
        raise CommandError(f"« {value} » n'est pas un nombre entier.") from None
    if number < 0 or number > 200_000:
        raise CommandError(f"« {value} » doit être compris entre 0 et 200 000.")
    return number


class Command(BaseCommand):
    help = ("Génère, sur la démo, des ressources, événements, éditions et bulletins de vote à l'échelle réelle "
            "(déterministe pour une graine, idempotent).")

    def add_arguments(self, parser):
        parser.add_argument("--resources", type=positive, default=5000, help="nombre de ressources (5000)")
        parser.add_argument("--events", type=positive, default=1000, help="nombre d'événements (1000)")
        parser.add_argument("--editions", type=positive, default=120, help="nombre d'éditions mensuelles (120)")
        parser.add_argument("--ballots", type=positive, default=5000, help="nombre de bulletins de vote (5000)")
        parser.add_argument("--seed", type=int, default=16, help="graine du générateur (16)")

    def handle(self, *args, **options):
        from home.scale import load

        started = time.perf_counter()
        try:
            report = load(resources=options["resources"], events=options["events"], editions=options["editions"],
                          ballots=options["ballots"], seed=options["seed"])
        except LookupError as exc:
            raise CommandError(f"Contenu à l'échelle impossible : {exc}.") from None
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(f"Contenu à l'échelle chargé en {time.perf_counter() - started:.1f} s.")
