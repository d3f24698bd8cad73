"""Weight of the public site on a phone: what a visitor downloads, and Lighthouse's mobile scores.

Serves the demo site (``load_demo``) with the production settings (gunicorn, whitenoise's compressed
manifest storage, PostgreSQL, Redis; the media files served by Django, as a web server would), then,
in Debian's Chromium at 390 × 844 CSS px (device pixel ratio 3, touch, a phone's user agent), for every public page type:

- *1re visite*: an empty cache, the page loaded until the network is idle (no scrolling: what lies
  below the fold and is lazy-loaded is not fetched unless Chromium's own look-ahead reaches it);
- *2e page*: the same browser, just after a first visit of the home (of the thématique, for the home
  itself), then this page: what a visitor's second page costs.

Each gives the number of network requests (served from the browser cache are not counted) and the bytes
transferred, compressed, headers included (Chrome DevTools protocol's ``encodedDataLength``).

Then Lighthouse (npm package ``lighthouse``, installed on first use into ``var/node/lighthouse``, never
by ``make run``) drives the same Chromium (``CHROME_PATH``) with its default mobile emulation and
simulated throttling, and gives the performance and accessibility scores of the home, a thématique and
the library.

Targets: home first visit ≤ 300 KB, every second page ≤ 100 KB; performance ≥ 95, accessibility 100.

    .venv/bin/python bench/weight.py        # or: make bench  (bench/run.py collects it)

Environment: BENCH_WEIGHT_POSTGRES (server, default postgres://postgres@127.0.0.1:5432),
BENCH_WEIGHT_REDIS (default redis://127.0.0.1:6379/3), BENCH_WEIGHT_LIGHTHOUSE=0 to skip Lighthouse,
CHROME_PATH (default /usr/bin/chromium). Everything it creates (database, Redis keys, temporary folder,
server processes) is removed at the end, even on failure.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable
BIN = Path(PY).parent
PG = os.environ.get("BENCH_WEIGHT_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_WEIGHT_REDIS", "redis://127.0.0.1:6379/3")
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
LIGHTHOUSE_VERSION = "12.2.3"  # 13 wants Node 22; Debian's Node is 20
LIGHTHOUSE_DIR = ROOT / "var" / "node" / "lighthouse"
WIDTH, HEIGHT = 390, 844
HOME_FIRST_TARGET_KB = 300
SECOND_PAGE_TARGET_KB = 100
PERFORMANCE_TARGET = 95
ACCESSIBILITY_TARGET = 100
PHONE_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/130.0.0.0 Mobile Safari/537.36")
COLUMNS = ["type de page", "requêtes (1re visite)", "Ko (1re visite)", "requêtes (2e page)", "Ko (2e page)",
           "objectif"]
LH_COLUMNS = ["page", "performance", "accessibilité", "objectif"]

# Production settings, plus the media files served by Django: in production the web server or the bucket
# serves them, and the pictures are part of what a visitor downloads.
BENCH_SETTINGS = '''
from cms.settings.production import *  # noqa: F401,F403 - a settings module extends production's

ROOT_URLCONF = "tec_weight_urls"
'''
BENCH_URLS = '''
from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from cms.urls import handler404, handler500, urlpatterns as site_urlpatterns  # noqa: F401 - Django reads the handlers here

urlpatterns = [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}), *site_urlpatterns]
'''

# One address per public page type of the demo, in the order of the table.
PAGE_URLS_SCRIPT = r"""
import json, django
django.setup()
from wagtail.models import Page
from django.urls import reverse
seen = {}
for page in Page.objects.live().public().filter(depth__gte=2).order_by("path").specific():
    seen.setdefault(str(type(page)._meta.verbose_name), page.url)
library = next((u for n, u in seen.items() if "biblioth" in n.lower()), None)
extra = {"recherche": "/recherche/?q=participation", "contact": reverse("contact_anct"), "404": "/page-absente/"}
if library:
    extra["bibliothèque filtrée"] = library + "?type=projet"
print(json.dumps({**seen, **extra}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(cmd, env, cwd=ROOT, timeout=900):
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or ["?"]
        raise RuntimeError(f"« {' '.join(map(str, cmd[:4]))} » a échoué : {last[0]}")
    return done.stdout


def _pg_admin(sql: str):
    import psycopg2

    connection = psycopg2.connect(f"{PG}/postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


@contextmanager
def _gunicorn(env: dict):
    port = _free_port()
    server_env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2", "GUNICORN_THREADS": "1",
                  "GUNICORN_ACCESSLOG": "", "GUNICORN_LOGLEVEL": "warning"}
    log = tempfile.TemporaryFile()
    process = subprocess.Popen([str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "cms.wsgi"], cwd=ROOT,
                               env=server_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                log.seek(0)
                tail = log.read().decode(errors="replace").strip().splitlines()[-1:] or ["?"]
                raise RuntimeError(f"gunicorn ne démarre pas : {tail[0]}")
            try:
                urllib.request.urlopen(base + "/", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn ne répond pas après 60 s") from None
                time.sleep(0.3)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


@contextmanager
def demo_site():
    """The demo on gunicorn with the production settings; yields (base URL, {page type: path})."""
    tag = f"h_weight_bench_{os.getpid()}"
    tmp = Path(tempfile.mkdtemp(prefix="tec-bench-weight-"))
    prefix = f"tecweight{os.getpid()}"
    created = False
    try:
        _pg_admin(f'CREATE DATABASE "{tag}"')
        created = True
        (tmp / "tec_weight_settings.py").write_text(BENCH_SETTINGS)
        (tmp / "tec_weight_urls.py").write_text(BENCH_URLS)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))}
        env.update({
            "PYTHONPATH": f"{ROOT}{os.pathsep}{tmp}", "DJANGO_SETTINGS_MODULE": "tec_weight_settings",
            "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"{PG}/{tag}", "REDIS_URL": REDIS, "CACHE_KEY_PREFIX": prefix,
            "WAGTAILADMIN_BASE_URL": "http://127.0.0.1", "EMAIL_HOST": "localhost",
            "SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "0",
            "STATIC_ROOT": str(tmp / "static"), "MEDIA_ROOT": str(tmp / "media"),
            "VAR_DIR": str(tmp), "LOG_LEVEL": "WARNING",
        })
        manage = [PY, str(ROOT / "manage.py")]
        _run(manage + ["migrate", "--noinput", "-v", "0"], env)
        _run(manage + ["load_demo", "--collectivites=demo"], env)
        _run(manage + ["collectstatic", "--noinput", "-v", "0"], env)
        urls = json.loads(_run([PY, "-c", PAGE_URLS_SCRIPT], env).strip().splitlines()[-1])
        with _gunicorn(env) as base:
            yield base, urls
    finally:
        if created:
            try:
                import redis

                client = redis.Redis.from_url(REDIS)
                keys = list(client.scan_iter(f"{prefix}*"))
                if keys:
                    client.delete(*keys)
            except Exception:  # noqa: BLE001 - cleaning up must not hide the measurement's error
                pass
            _pg_admin(f'DROP DATABASE IF EXISTS "{tag}" WITH (FORCE)')
        subprocess.run(["rm", "-rf", str(tmp)], check=False)


class Meter:
    """Requests and compressed bytes that reach the network, through the DevTools protocol."""

    def __init__(self, context, page):
        self.cdp = context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.sizes: dict[str, int] = {}
        self.cached: set[str] = set()
        self.cdp.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))
        self.cdp.on("Network.responseReceived", self._response)
        self.cdp.on("Network.loadingFinished", lambda e: self.sizes.__setitem__(e["requestId"], e["encodedDataLength"]))

    def _response(self, event):
        if event["response"].get("fromDiskCache") or event["response"].get("fromPrefetchCache"):
            self.cached.add(event["requestId"])

    def reset(self):
        self.sizes.clear()
        self.cached.clear()

    def totals(self) -> tuple[int, int]:
        network = {k: v for k, v in self.sizes.items() if k not in self.cached}
        return len(network), sum(network.values())


def _visit(page, meter, url) -> tuple[int, int]:
    meter.reset()
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(300)
    return meter.totals()


def measure_pages(base: str, urls: dict) -> list[dict]:
    from playwright.sync_api import sync_playwright

    home = urls.get("page d'accueil") or urls[next(iter(urls))]
    other = next((u for n, u in urls.items() if "thématique" in n.lower() and u != home), home)
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROME, args=["--no-sandbox"])
        try:
            def fresh():
                context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=3,
                                              is_mobile=True, has_touch=True, user_agent=PHONE_UA)
                page = context.new_page()
                return context, page, Meter(context, page)

            for name, path in urls.items():
                context, page, meter = fresh()
                first = _visit(page, meter, base + path)
                _visit(page, meter, base + (other if path == home else home))
                second = _visit(page, meter, base + path)
                context.close()
                ok = (first[1] <= HOME_FIRST_TARGET_KB * 1024 if path == home else True) and \
                    second[1] <= SECOND_PAGE_TARGET_KB * 1024
                rows.append({"type de page": name, "requêtes (1re visite)": first[0],
                             "Ko (1re visite)": round(first[1] / 1024, 1), "requêtes (2e page)": second[0],
                             "Ko (2e page)": round(second[1] / 1024, 1), "objectif": "oui" if ok else "NON",
                             "home": path == home})
        finally:
            browser.close()
    return rows


def _lighthouse_bin() -> Path:
    binary = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        LIGHTHOUSE_DIR.mkdir(parents=True, exist_ok=True)
        _run(["npm", "install", "--prefix", str(LIGHTHOUSE_DIR), "--no-audit", "--no-fund", "-E",
              f"lighthouse@{LIGHTHOUSE_VERSION}"], os.environ.copy(), timeout=900)
    return binary


def lighthouse(base: str, urls: dict) -> list[dict]:
    binary = _lighthouse_bin()
    wanted = {"accueil": urls.get("page d'accueil")}
    for label, needle in (("thématique", "thématique"), ("bibliothèque", "biblioth")):
        wanted[label] = next((u for n, u in urls.items() if n.lower().startswith(needle)), None)
    rows = []
    with tempfile.TemporaryDirectory(prefix="tec-lighthouse-") as tmp:
        for label, path in wanted.items():
            if not path:
                continue
            out = Path(tmp) / "report.json"
            env = {**os.environ, "CHROME_PATH": CHROME}
            _run([str(binary), base + path, "--quiet", "--output=json", f"--output-path={out}",
                  "--only-categories=performance,accessibility",
                  f"--chrome-flags=--headless=new --no-sandbox --user-data-dir={tmp}/profile"], env, timeout=300)
            report = json.loads(out.read_text())
            scores = {k: round((v.get("score") or 0) * 100) for k, v in report["categories"].items()}
            ok = scores["performance"] >= PERFORMANCE_TARGET and scores["accessibility"] >= ACCESSIBILITY_TARGET
            failing = [a for a, v in report["audits"].items()
                       if v.get("score") is not None and v["score"] < 0.9 and v.get("scoreDisplayMode") == "binary"]
            rows.append({"page": label, "performance": scores["performance"],
                         "accessibilité": scores["accessibility"], "objectif": "oui" if ok else "NON",
                         "audits en échec": failing,
                         "métriques": {m: report["audits"][m].get("displayValue") for m in
                                       ("first-contentful-paint", "largest-contentful-paint",
                                        "total-blocking-time", "cumulative-layout-shift")}})
    return rows


def _table(columns, rows):
    widths = [max(len(c), *(len(str(r[c])) for r in rows)) for c in columns]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(str(r[c]).ljust(w) for c, w in zip(columns, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def run(print_rows: bool = True) -> list[dict]:
    with demo_site() as (base, urls):
        rows = measure_pages(base, urls)
        if print_rows:
            print(f"Chromium {WIDTH} × {HEIGHT} px (×3), gunicorn + whitenoise (réglages de production), démo ; "
                  "octets transférés compressés, en-têtes compris.")
            print(_table(COLUMNS, rows), flush=True)
        lh_rows = []
        if os.environ.get("BENCH_WEIGHT_LIGHTHOUSE", "1") != "0":
            lh_rows = lighthouse(base, urls)
            if print_rows:
                print(f"\nLighthouse {LIGHTHOUSE_VERSION}, mobile (émulation et ralentissement simulés par défaut) :")
                print(_table(LH_COLUMNS, lh_rows))
                for row in lh_rows:
                    print(f"  {row['page']} : {row['métriques']}"
                          + (f" ; audits en échec : {', '.join(row['audits en échec'])}" if row["audits en échec"] else ""))
    return rows + lh_rows


def targets_met(rows) -> bool:
    return all(r.get("objectif") == "oui" for r in rows)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    result = run()
    sys.exit(0 if targets_met(result) else 1)
