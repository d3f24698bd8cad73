"""Collectivités: validated codes in the admin, lookup by every code the open data uses, the offline load."""
import gzip
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from thematiques.codes import DEPARTEMENTS_SANS_SIREN, is_valid_siren
from thematiques.management.commands.load_collectivites import DEFAULT_FILE, load, read_rows
from thematiques.models import Collectivite

CREATE_URL = "thematiques_collectivite_modeladmin_create"
HEADER = "code,code_insee,nom,echelon,departement,region,population\n"


@pytest.fixture
def admin_client_fr(client, django_user_model):
    user = django_user_model.objects.create_superuser("admin", "admin@example.org", "motdepasse")
    client.force_login(user)
    return client


def post_collectivite(client, **data):
    fields = {"code": "", "code_insee": "", "nom": "", "echelon": "", "departement": "", "region": "",
              "population": ""}
    fields.update(data)
    return client.post(reverse(CREATE_URL), fields)


# -- the admin form ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_siren_with_a_bad_key_is_refused_in_french_and_nothing_is_saved(admin_client_fr):
    response = post_collectivite(admin_client_fr, code="200040294", nom="CC du Clunisois", echelon="epci")
    assert response.status_code == 200
    errors = response.context["form"].errors["code"]
    assert errors == ["Le SIREN « 200040294 » est invalide : sa clé de contrôle ne correspond pas."]
    # The form comes back with what was typed.
    assert 'value="CC du Clunisois"' in response.content.decode()
    assert not Collectivite.objects.exists()


@pytest.mark.django_db
def test_siren_of_the_wrong_length_is_refused(admin_client_fr):
    response = post_collectivite(admin_client_fr, code="2234000", nom="Hérault", echelon="dep", code_insee="34")
    assert response.context["form"].errors["code"] == ["« 2234000 » n'est pas un SIREN : il faut 9 chiffres."]
    assert not Collectivite.objects.exists()


@pytest.mark.django_db
def test_invalid_insee_code_of_a_commune_is_refused_in_french(admin_client_fr):
    response = post_collectivite(admin_client_fr, code="3416", nom="Montaud", echelon="com")
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        "« 3416 » n'est pas un code INSEE de commune valide (5 caractères, par exemple 34164 ou 2A004)."
    ]
    response = post_collectivite(admin_client_fr, code="20004", nom="Ajaccio", echelon="com")
    assert "code" in response.context["form"].errors
    assert not Collectivite.objects.exists()


@pytest.mark.django_db
def test_a_departement_code_is_only_accepted_for_departements_without_siren(admin_client_fr):
    response = post_collectivite(admin_client_fr, code="34", code_insee="34", nom="Hérault", echelon="dep")
    assert response.context["form"].errors["code"] == ["« 34 » n'est pas un SIREN : il faut 9 chiffres."]
    assert not Collectivite.objects.exists()
    response = post_collectivite(admin_client_fr, code="2A", code_insee="2A", nom="Corse-du-Sud", echelon="dep",
                                 departement="2A", region="94")
    assert response.status_code == 302
    assert Collectivite.objects.get(code="2A").nom == "Corse-du-Sud"


@pytest.mark.django_db
def test_valid_codes_are_saved(admin_client_fr):
    response = post_collectivite(admin_client_fr, code=" 34164 ", nom="Montaud", echelon="com", population="1000")
    assert response.status_code == 302
    montaud = Collectivite.objects.get(code="34164")
    # The commune's INSEE code and département are deduced from its code.
    assert (montaud.code_insee, montaud.departement, montaud.population) == ("34164", "34", 1000)
    response = post_collectivite(admin_client_fr, code="200040293", nom="CC du Clunisois", echelon="epci",
                                 departement="71", region="27")
    assert response.status_code == 302
    response = post_collectivite(admin_client_fr, code="223400011", code_insee="34", nom="Hérault", echelon="dep",
                                 departement="34", region="76")
    assert response.status_code == 302
    assert Collectivite.objects.count() == 3


@pytest.mark.django_db
def test_the_admin_lists_collectivites_in_the_referentiels_menu(admin_client_fr):
    Collectivite.objects.create(code="44143", code_insee="44143", nom="Rezé", echelon="com", departement="44")
    response = admin_client_fr.get(reverse("thematiques_collectivite_modeladmin_index"), {"q": "rez"})
    assert response.status_code == 200
    assert "Rezé" in response.content.decode()
    home = admin_client_fr.get(reverse("wagtailadmin_home")).content.decode()
    assert "R\\u00e9f\\u00e9rentiels" in home or "Référentiels" in home


# -- lookup ----------------------------------------------------------------------------------------

@pytest.fixture
def referentiel(db):
    rows = [
        ("34164", "34164", "Montaud", "com", "34", "76"),
        ("200040293", "", "CC du Clunisois", "epci", "71", "27"),
        ("223400011", "34", "Hérault", "dep", "34", "76"),
        ("200053791", "76", "Occitanie", "reg", "", "76"),
        ("2A", "2A", "Corse-du-Sud", "dep", "2A", "94"),
        ("220600019", "06", "Alpes-Maritimes", "dep", "06", "93"),
    ]
    for code, code_insee, nom, echelon, dep, reg in rows:
        Collectivite.objects.create(code=code, code_insee=code_insee, nom=nom, echelon=echelon, departement=dep,
                                    region=reg)


def test_lookup_by_siren(referentiel):
    assert Collectivite.lookup("200040293").nom == "CC du Clunisois"
    assert Collectivite.lookup("223 400 011").nom == "Hérault"
    assert Collectivite.lookup("200053791").nom == "Occitanie"


def test_lookup_by_commune_insee_code(referentiel):
    assert Collectivite.lookup("34164").nom == "Montaud"


def test_lookup_by_departement_insee_code(referentiel):
    assert Collectivite.lookup("34").nom == "Hérault"
    assert Collectivite.lookup("06").nom == "Alpes-Maritimes"
    assert Collectivite.lookup("2a").nom == "Corse-du-Sud"


def test_lookup_by_region_insee_code_and_unknown_codes(referentiel):
    assert Collectivite.lookup("76").nom == "Occitanie"
    assert Collectivite.lookup("99999") is None
    assert Collectivite.lookup("") is None


# -- the shipped data and load_collectivites ------------------------------------------------------

def test_shipped_file_has_every_echelon_with_valid_codes():
    rows = read_rows(DEFAULT_FILE)
    by_echelon = {}
    for row in rows:
        by_echelon.setdefault(row["echelon"], []).append(row)
    assert len(by_echelon["com"]) > 34000
    assert len(by_echelon["epci"]) > 1200
    assert len(by_echelon["dep"]) == 109
    assert len(by_echelon["reg"]) == 17
    for row in by_echelon["dep"]:
        assert is_valid_siren(row["code"]) or row["code"] in DEPARTEMENTS_SANS_SIREN, row
    herault = next(r for r in by_echelon["dep"] if r["code_insee"] == "34")
    assert herault["code"] == "223400011"


@pytest.mark.django_db
def test_every_territory_of_the_anct_csv_is_found_once_loaded():
    import csv

    load()
    path = Path(DEFAULT_FILE).parent / "territoires-accompagnes-anct.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 78
    for row in rows:
        found = Collectivite.lookup(row["codgeo"])
        assert found is not None, row
        assert (found.nom, found.echelon) == (row["libgeo"], row["echelon"]), row


@pytest.mark.django_db
def test_load_collectivites_is_idempotent(capsys):
    call_command("load_collectivites")
    first = capsys.readouterr().out
    count = Collectivite.objects.count()
    assert count > 36000
    assert f"{count} créées" in first
    call_command("load_collectivites")
    second = capsys.readouterr().out
    assert Collectivite.objects.count() == count
    assert "0 créées, 0 mises à jour" in second


@pytest.mark.django_db
def test_load_collectivites_updates_in_place(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(HEADER + "34164,34164,Montaud,com,34,76,1000\n", encoding="utf-8")
    assert load(path) == {"total": 1, "created": 1, "updated": 0, "unchanged": 0}
    pk = Collectivite.objects.get(code="34164").pk
    path.write_text(HEADER + "34164,34164,Montaud-sur-Lez,com,34,76,1100\n", encoding="utf-8")
    assert load(path) == {"total": 1, "created": 0, "updated": 1, "unchanged": 0}
    montaud = Collectivite.objects.get(code="34164")
    assert (montaud.pk, montaud.nom, montaud.population) == (pk, "Montaud-sur-Lez", 1100)


@pytest.mark.django_db
def test_load_collectivites_fails_with_one_line_on_a_missing_file(tmp_path):
    with pytest.raises(CommandError) as exc:
        call_command("load_collectivites", file=str(tmp_path / "absent.csv.gz"))
    message = str(exc.value)
    assert message.startswith("Fichier des collectivités introuvable")
    assert "\n" not in message
    assert not Collectivite.objects.exists()


@pytest.mark.django_db
def test_a_bad_row_loads_nothing(tmp_path):
    path = tmp_path / "c.csv.gz"
    path.write_bytes(gzip.compress((HEADER + "34164,34164,Montaud,com,34,76,1000\n"
                                    "200040294,,CC du Clunisois,epci,71,27,\n").encode()))
    with pytest.raises(CommandError, match="ligne 3 : code « 200040294 » invalide pour l'échelon epci"):
        call_command("load_collectivites", file=str(path))
    assert not Collectivite.objects.exists()
    path.write_text("nom;code\nMontaud;34164\n", encoding="utf-8")
    with pytest.raises(CommandError, match="En-tête inattendu"):
        call_command("load_collectivites", file=str(path))
    path.write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(CommandError, match="illisible"):
        call_command("load_collectivites", file=str(path))


@pytest.mark.django_db
def test_load_demo_without_collectivites_says_what_to_do(settings, tmp_path):
    from home.models import HomePage

    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(CommandError, match="lancez d'abord « manage.py load_collectivites »"):
        call_command("load_demo", collectivites="aucune", stdout=io.StringIO())
    assert not HomePage.objects.exists()


@pytest.mark.django_db
def test_library_territory_filters_follow_load_collectivites_and_admin_saves(client, home, tmp_path):
    """The département and région choices are kept in the site generation: loading or saving collectivités
    (bulk writes send no signal) shows on the next request."""
    from ressources.models import RessourceIndexPage

    home.add_child(instance=RessourceIndexPage(title="Ressources", slug="ressources"))

    def departements():
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(client.get("/ressources/").content.decode(), "html.parser")
        return [o.get_text() for o in soup.select("select#id_departement option")][1:]

    assert departements() == []
    path = tmp_path / "c.csv"
    path.write_text(HEADER + "2A,2A,Corse-du-Sud,dep,2A,94,160000\n", encoding="utf-8")
    load(path)
    assert departements() == ["2A — Corse-du-Sud"]
    corse = Collectivite.objects.get(code="2A")
    corse.nom = "Corse du Sud"
    corse.save()
    assert departements() == ["2A — Corse du Sud"]
