"""The newsletter desk in a real Chromium, on the demo, as an editor who may publish (a Moderator).

Every action button of the edition's edit view, the export view, the import view and the new-edition
view is visible, shows its whole label inside its box and is reached with the Tab key; the e-mail
preview (ours and Wagtail's « E-mail » preview mode) shows the e-mail's own styles with no CSP
violation at phone and desktop widths; a Brevo zip exported from this server (a random port, like
`make run PORT=…`) has no link to port 8000. Screenshots: var/screenshots/<width>/desk-*.png.
"""
import io
import re
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import Error as PlaywrightError

from tests.visual import check_page, page_problems, prepare, screenshot_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "motdepasse-moderation"
PHONE, DESKTOP = 375, 1280


@pytest.fixture
def desk(live_server, settings, tmp_path):
    from django.contrib.auth.models import Group, User

    from newsletter.models import NewsletterPage

    settings.MEDIA_ROOT = tmp_path / "media"
    # What `make run` does with HOST and PORT (the Makefile exports WAGTAILADMIN_BASE_URL, which
    # SITE_BASE_URL defaults to): the links of the e-mail follow the server, never port 8000.
    settings.WAGTAILADMIN_BASE_URL = settings.SITE_BASE_URL = live_server.url
    call_command("load_demo", collectivites="demo", stdout=io.StringIO())
    user = User.objects.create_user("moderation", "moderation@example.org", PASSWORD)
    user.groups.add(Group.objects.get(name="Moderators"))
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="view_campaign"))  # the vote campaigns list
    edition = NewsletterPage.objects.get(date__year=2021, date__month=12)
    assert urlsplit(live_server.url).port != 8000
    return edition


def serve_media(page, media_root):
    """The live server does not serve media (DEBUG is off): Chromium gets the renditions from disk."""
    def handle(route):
        path = Path(media_root) / urlsplit(route.request.url).path.removeprefix("/media/")
        if path.is_file():
            return route.fulfill(path=str(path))
        return route.fulfill(status=404, body="")

    page.route(re.compile(r"^https?://[^/]+/media/"), handle)


def login(page, live_server):
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "moderation")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")


def reach_with_tab(page, locator, limit=150) -> bool:
    """Press Tab from the top of the page until ``locator`` has the focus (or ``limit`` presses)."""
    handle = locator.element_handle()
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.evaluate("window.scrollTo(0, 0)")
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(el) => document.activeElement === el", handle):
            return True
    return False


LABEL_INSIDE = """(el) => {
  const box = el.getBoundingClientRect();
  const range = document.createRange();
  range.selectNodeContents(el);
  const texts = [...range.getClientRects()].filter((r) => r.width > 0);
  const inside = texts.every((r) => r.left >= box.left - 1 && r.right <= box.right + 1
                                 && r.top >= box.top - 1 && r.bottom <= box.bottom + 1);
  const icon = el.querySelector('svg');
  const iconBox = icon ? icon.getBoundingClientRect() : null;
  return {inside, overflow: el.scrollWidth > el.clientWidth + 1, width: box.width, height: box.height,
          iconHeight: iconBox ? iconBox.height : 0, text: el.innerText.trim()};
}"""


def assert_action_buttons(page, labels, where):
    """Each labelled action: visible, its label inside its box (no overflow, no giant icon), Tab-reachable."""
    for label in labels:
        button = page.locator("a, button").filter(has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")).first
        assert button.count() == 1 and button.is_visible(), f"{where}: « {label} » is not visible"
        box = button.evaluate(LABEL_INSIDE)
        assert box["text"] == label, f"{where}: « {label} » shows « {box['text']} »"
        assert box["inside"] and not box["overflow"], f"{where}: the label « {label} » goes out of its box {box}"
        assert box["iconHeight"] <= 24, f"{where}: « {label} » has a {box['iconHeight']} px icon"
        assert box["height"] <= 60, f"{where}: « {label} » is {box['height']} px high"
        assert reach_with_tab(page, button), f"{where}: « {label} » cannot be reached with the Tab key"


EMAIL_STYLES = """() => {
  const heading = document.querySelector('h2');
  const button = [...document.querySelectorAll('a')].find((a) => {
    const s = getComputedStyle(a);
    return s.backgroundColor !== 'rgba(0, 0, 0, 0)' && s.backgroundColor !== 'transparent';
  }) || [...document.querySelectorAll('td[bgcolor] a, td[style*="background"] a')][0];
  const style = (el) => el ? {font: getComputedStyle(el).fontFamily, color: getComputedStyle(el).color,
                              background: getComputedStyle(el.closest('td') || el).backgroundColor} : null;
  return {heading: style(heading), button: style(button), csp: window.__visualCsp || []};
}"""


def assert_email_styled(target, where):
    styles = target.evaluate(EMAIL_STYLES)
    assert styles["csp"] == [], f"{where}: CSP violations {styles['csp']}"
    heading, button = styles["heading"], styles["button"]
    assert heading and "Helvetica" in heading["font"] and "Times" not in heading["font"], f"{where}: {heading}"
    assert heading["color"] == "rgb(0, 0, 145)", f"{where}: the heading is {heading['color']}, not #000091"
    assert button and button["background"] == "rgb(0, 0, 145)", f"{where}: the button is {button}"
    assert button["color"] == "rgb(255, 255, 255)" and "Helvetica" in button["font"], f"{where}: {button}"


def test_the_desk_buttons_preview_and_export(live_server, page, desk, settings):
    edition = desk
    index = edition.get_parent()
    prepare(page)
    serve_media(page, settings.MEDIA_ROOT)
    page.set_viewport_size({"width": DESKTOP, "height": 900})
    login(page, live_server)

    # The edit view: the desk's actions are labelled buttons of the header, not hidden in « … ».
    page.goto(live_server.url + f"/admin/pages/{edition.pk}/edit/")
    check_page(page, "desk-edit")
    header = page.locator("header.w-slim-header")
    for label in ("Aperçu e-mail", "Vérifier", "Exporter", "Envoi de test"):
        assert header.locator("a.w-header-button", has_text=label).count() == 1, label
    assert_action_buttons(page, ["Aperçu e-mail", "Vérifier", "Exporter", "Envoi de test"], "edit view")

    # Our « Aperçu e-mail » at phone and desktop widths: the e-mail's own font and colours, no CSP error.
    for width in (PHONE, DESKTOP):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + f"/admin/newsletter/{edition.pk}/apercu-email/")
        assert_email_styled(page, f"Aperçu e-mail @ {width}")
        check_page(page, "desk-email-preview", width=width)
        hrefs = page.evaluate("[...document.querySelectorAll('a[href], img[src]')].map(e => e.href || e.src)")
        assert not [h for h in hrefs if ":8000" in h]

    # Wagtail's own « E-mail » preview mode, in the edit view's preview panel.
    page.set_viewport_size({"width": DESKTOP, "height": 900})
    page.goto(live_server.url + f"/admin/pages/{edition.pk}/edit/")
    page.locator("button[data-side-panel-toggle='preview']").click()
    page.locator("select#id_preview_mode").select_option("email")
    email_shown = ("() => [...document.querySelectorAll('iframe')].some((f) => {"
                   " const h = f.contentDocument && f.contentDocument.querySelector('h2');"
                   " return h && getComputedStyle(h).fontFamily.includes('Helvetica'); })")
    for attempt in range(3):  # the panel refreshes on a timer: choose the mode again if it kept the web one
        try:
            page.wait_for_function(email_shown, timeout=20000)
            break
        except Exception:
            if attempt == 2:
                raise
            page.locator("select#id_preview_mode").select_option("web")
            page.locator("select#id_preview_mode").select_option("email")
    page.wait_for_timeout(1000)  # Wagtail swaps its preview iframes once the new one has loaded
    styled = None
    for _attempt in range(10):
        for frame in page.frames[1:]:
            try:
                if frame.evaluate("() => !!document.querySelector('h2') && getComputedStyle("
                                  "document.querySelector('h2')).fontFamily.includes('Helvetica')"):
                    assert_email_styled(frame, "Wagtail preview")
                    styled = frame
                    break
            except Exception as exc:  # a detached iframe (swapped): look again
                if "detached" not in str(exc):
                    raise
        if styled:
            break
        page.wait_for_timeout(500)
    assert styled, "Wagtail's « E-mail » preview mode never showed the styled e-mail"
    check_page(page, "desk-edit-preview-email")

    # The export view: its buttons, then a Brevo zip from this server (not port 8000).
    page.goto(live_server.url + f"/admin/newsletter/{edition.pk}/exporter/")
    check_page(page, "desk-export")
    assert_action_buttons(page, ["Exporter", "Retour à l'édition"], "export view")
    page.select_option("#id_tool", "brevo")
    page.select_option("#id_format", "zip")
    if page.locator(".newsletter-checks .help-critical").count():
        page.check("#id_force")  # the demo's own errors (if any) are not the point here
    page.locator("button[type=submit]", has_text="Exporter").click()
    page.wait_for_selector("text=Export enregistré")
    message = page.locator(".messages").inner_text()
    assert re.search(r"\d+,\d\u00a0Ko", message), message
    assert re.search(r"SHA-256 [0-9a-f]{64}", message), message
    check_page(page, "desk-export-done")
    with page.expect_download() as download_info:
        page.locator("a", has_text="Télécharger le fichier").first.click()
    download = download_info.value
    assert download.suggested_filename.endswith("-brevo-" + download.suggested_filename.split("-")[-1])
    with zipfile.ZipFile(download.path()) as archive:
        html = archive.read("index.html").decode()
        text = archive.read("index.txt").decode()
    port = urlsplit(live_server.url).port
    assert ":8000" not in html and ":8000" not in text
    assert f":{port}/" in html  # the links and images point at the server the site runs on
    assert page.locator("table.newsletter-exports tbody tr").count() == 1
    assert "identique à la dernière révision" in page.locator("table.newsletter-exports").inner_text()

    # The records list: words (no red ✖), whole words, the current-revision column.
    page.goto(live_server.url + "/admin/newsletter/newsletterexport/")
    check_page(page, "desk-exports-list")
    forced = page.locator("td.field-forced_label").first
    assert forced.inner_text().strip() == "forcé" and forced.locator("svg").count() == 0  # localhost: forced

    # The archive: Nouvelle édition and Importer des éditions as labelled header buttons.
    page.goto(live_server.url + f"/admin/pages/{index.pk}/")
    # Wagtail 8 draws the listing's own title (the last breadcrumb) taller than its link box: Wagtail's, not ours.
    problems = [p for p in page_problems(page, "desk-archive")
                if not re.search(r"clipped-label: a\.w-flex\.w-items-center\.w-text-text-label « La newsletter »", p)]
    assert not problems, "\n".join(problems)
    assert_action_buttons(page, ["Nouvelle édition", "Importer des éditions"], "archive")

    # The import view.
    page.goto(live_server.url + f"/admin/newsletter/archive/{index.pk}/importer/")
    check_page(page, "desk-import")
    assert_action_buttons(page, ["Importer", "Retour à l'archive"], "import view")

    # The new-edition view: what is pre-filled, and from where; then the draft.
    page.goto(live_server.url + f"/admin/newsletter/archive/{index.pk}/nouvelle-edition/")
    check_page(page, "desk-new-edition")
    assert_action_buttons(page, ["Créer l'édition pré-remplie", "Annuler"], "new-edition view")
    assert page.input_value("#id_subject")
    page.locator("button", has_text="Créer l'édition pré-remplie").click()
    page.wait_for_selector("text=Nouvelle édition créée en brouillon")
    check_page(page, "desk-new-edition-draft")

    # The vote campaigns list: the title is not squeezed to a letter per line.
    page.goto(live_server.url + "/admin/thematiques/campaign/")
    check_page(page, "desk-vote-campaigns")
    assert "autorisations" not in page.content()
    first = page.locator("table.listing tbody tr td").first
    assert first.bounding_box()["width"] >= 200, "the campaign's title is squeezed"


WIDTHS = (320, 390, 768, 1280)
# Wagtail's own: below 800 px its sidebar's toggle button is drawn at the top left, over the page header.
WAGTAIL_OWN = re.compile(r"header-overlap: button\.button\.sidebar-nav-toggle\.sidebar-nav-toggle--mobile")


def check_admin_page(page, name, width=None):
    """``check_page`` less what Wagtail's admin does itself at narrow widths (WAGTAIL_OWN)."""
    problems = [p for p in page_problems(page, name, width) if not WAGTAIL_OWN.search(p)]
    assert not problems, "\n".join(problems)

TARGET_STATE = """(path) => {
  const selector = path.split('.').map((p) => `[data-contentpath="${p}"]`).join(' ');
  const el = document.querySelector(selector);
  if (!el) return null;
  const header = el.querySelector('[data-panel-toggle]');
  const box = (header || el).getBoundingClientRect();
  return {inView: box.top >= 0 && box.bottom <= window.innerHeight && box.height > 0,
          expanded: header ? header.getAttribute('aria-expanded') : null,
          focusInside: el.contains(document.activeElement),
          outlined: el.classList.contains('newsletter-goto'),
          ancestorsOpen: (() => { for (let p = el.parentElement; p; p = p.parentElement) {
              if (p.hidden) return false; } return true; })()};
}"""


def wait_for_target(page, path, where):
    try:
        page.wait_for_function(f"() => {{ const s = ({TARGET_STATE})({path!r}); return s && s.inView && s.focusInside; }}",
                               timeout=15000)
    except PlaywrightError:
        page.screenshot(path=str(screenshot_path(f"desk-checks-goto-failed-{where}", page.viewport_size["width"])))
    state = page.evaluate(TARGET_STATE, path)
    assert state, f"{where}: no block at {path} ({page.url})"
    state["active"] = page.evaluate("document.activeElement.outerHTML.slice(0, 200)")
    assert state["inView"] and state["focusInside"] and state["ancestorsOpen"], f"{where}: {state}"
    assert state["expanded"] in (None, "true"), f"{where}: the block stayed collapsed {state}"
    return state


def test_check_links_lead_to_the_block_and_the_preview_sizes(live_server, page, desk, settings):
    """A problem of an item (its page unpublished) is named « Section « … », élément N « … » » on the export
    page and in Wagtail's checks panel; following its link opens the edit view on that item, expanded, in
    view, focused. Then Wagtail's preview panel at each of its sizes shows the styled e-mail, no CSP error."""
    from wagtail.models import Page

    edition = desk
    block = next(b for b in edition.sections if len(b.value.get("items") or []) >= 2) \
        if any(hasattr(b.value, "get") for b in edition.sections) else None
    assert block is not None, "the demo edition has a section of two items or more"
    item = block.value["items"].bound_blocks[1]
    Page.objects.get(pk=item.value["page"].pk).specific.unpublish()
    path = f"sections.{block.id}.items.{item.id}"

    prepare(page)
    serve_media(page, settings.MEDIA_ROOT)
    page.set_viewport_size({"width": DESKTOP, "height": 900})
    login(page, live_server)

    # The export page (« Vérifier »): the problem names its section and item, at every width.
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + f"/admin/newsletter/{edition.pk}/exporter/")
        check_admin_page(page, "desk-checks-export", width=width)
    link = page.locator(f'a[data-newsletter-goto="{path}"]').first
    assert re.match(rf"^Section «\u202f{re.escape(block.value['title'])}\u202f», élément 2 «\u202f.+\u202f»$",
                    link.inner_text()), link.inner_text()
    assert reach_with_tab(page, link, limit=200), "the check's link cannot be reached with the Tab key"
    page.keyboard.press("Enter")  # followed with the keyboard
    page.wait_for_url(re.compile(rf"/admin/pages/{edition.pk}/edit/#:w:contentpath="))
    wait_for_target(page, path, "from the export page")
    check_admin_page(page, "desk-checks-goto-item")

    # Wagtail's checks side panel of the edit view: the same list, loaded when the panel opens.
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + f"/admin/pages/{edition.pk}/edit/")
        panel = page.locator("[data-side-panel='checks']")
        if panel.is_hidden():  # Wagtail reopens the side panel that was open on the last visit
            page.locator("button[data-side-panel-toggle='checks']").click()
        page.wait_for_selector("[data-newsletter-checks-body] .newsletter-checks", timeout=30000)
        # The demo's own: its links point at this local server (an error too, the setting's).
        assert re.search(r"Pour Mailchimp, d'après la dernière version enregistrée .*: \d+ erreurs?", panel.inner_text())
        check_admin_page(page, "desk-checks-panel", width=width)
        link = panel.locator(f'a[data-newsletter-goto="{path}"]')
        assert link.is_visible()
        link.click()
        wait_for_target(page, path, f"from the checks panel @ {width}")
    reload = page.locator("[data-newsletter-checks-reload]")
    assert reload.inner_text().strip() == "Relancer les vérifications"
    reload.click()
    page.wait_for_selector("[data-newsletter-checks-body] .newsletter-checks", timeout=30000)

    # Wagtail's preview panel, « E-mail » mode, at each of its sizes (its size buttons).
    page.set_viewport_size({"width": DESKTOP, "height": 900})
    page.goto(live_server.url + f"/admin/pages/{edition.pk}/edit/")
    page.locator("button[data-side-panel-toggle='preview']").click()
    page.locator("select#id_preview_mode").select_option("email")
    sizes = page.locator("input[name='preview-size']")
    assert sizes.count() == 3
    for index in range(sizes.count()):
        size = sizes.nth(index)
        name, device_width = size.get_attribute("value"), int(size.get_attribute("data-device-width"))
        size.locator("xpath=ancestor::label[1]").click()  # Wagtail's size button
        assert size.is_checked()
        frame = None
        for _attempt in range(40):
            for candidate in page.frames[1:]:
                try:
                    ready = candidate.evaluate(
                        "(w) => window.innerWidth === w && !!document.querySelector('h2') && "
                        "getComputedStyle(document.querySelector('h2')).fontFamily.includes('Helvetica')",
                        device_width)
                except Exception as exc:  # a detached iframe (Wagtail swaps them): look again
                    if "detached" not in str(exc):
                        raise
                    continue
                if ready:
                    frame = candidate
                    break
            if frame:
                break
            if _attempt % 10 == 9:  # the panel refreshes on a timer: choose the mode again if it kept the web one
                page.locator("select#id_preview_mode").select_option("web")
                page.locator("select#id_preview_mode").select_option("email")
            page.wait_for_timeout(500)
        seen = []
        for candidate in page.frames[1:]:
            try:
                seen.append(candidate.evaluate("() => [location.href, innerWidth, document.documentElement.clientWidth,"
                                               " !!document.querySelector('h2')]"))
            except PlaywrightError as exc:
                seen.append(str(exc)[:80])
        assert frame, f"the « E-mail » preview at {name} ({device_width} px) never showed the styled e-mail: {seen}"
        assert_email_styled(frame, f"Wagtail preview @ {name}")
        check_admin_page(page, f"desk-preview-email-{name}")


TITLE_LINES = """() => {
  const cell = document.querySelector('table.listing tbody tr td.field-title')
    || document.querySelector('table.listing tbody tr td');
  const actions = cell.querySelector('ul.actions');  // the title is the cell's text before its buttons
  const range = document.createRange();
  range.selectNodeContents(cell);
  if (actions) range.setEndBefore(actions);
  const text = range.toString().trim();
  const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
  return {text, lines: tops.size, words: text.split(/\\s+/).length, cell: cell.getBoundingClientRect().width,
          page: document.documentElement.scrollWidth, viewport: innerWidth};
}"""


def test_vote_campaigns_list_reads_at_every_width(live_server, page, desk):
    """The campaigns list (« Votes › Campagnes »): the title reads on one line at 1280 px, and wraps between
    words (not a letter per line) at 768, 390 and 320 px; the filters never run over it."""
    prepare(page)
    page.set_viewport_size({"width": DESKTOP, "height": 900})
    login(page, live_server)
    for width in reversed(WIDTHS):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + "/admin/thematiques/campaign/")
        check_admin_page(page, "desk-vote-campaigns", width=width)
        title = page.evaluate(TITLE_LINES)
        assert title["text"], title
        if width == 1280:
            assert title["lines"] == 1, f"the title takes {title['lines']} lines at 1280 px: {title}"
        else:
            assert title["lines"] <= title["words"], f"the title is broken inside its words at {width} px: {title}"
            assert title["cell"] >= 120, f"the title is squeezed at {width} px: {title}"
        filters = page.locator(".changelist-filter, #changelist-filter, .filterable .col3").first
        if filters.count() and filters.is_visible():
            cell = page.locator("table.listing tbody tr td").first.bounding_box()
            box = filters.bounding_box()
            overlaps = not (box["x"] >= cell["x"] + cell["width"] or box["x"] + box["width"] <= cell["x"]
                            or box["y"] >= cell["y"] + cell["height"] or box["y"] + box["height"] <= cell["y"])
            assert not overlaps, f"the filters cover the title at {width} px"
