"""Visual checks for browser tests: what a reader would see as broken, asserted on any Playwright page.

Usage::

    from tests.visual import check_page, prepare

    recorder = prepare(page)             # before the first goto: records CSP violations and console errors
    page.goto(url)
    check_page(page, "home", width=320)  # asserts, and saves var/screenshots/320/home.png

Rules (each failure names the element and the rule):

- ``overflow``: no horizontal scroll (``documentElement.scrollWidth <= innerWidth``), with the elements that
  stick out;
- ``clipped-label``: every visible link, button and submit input shows its whole text inside its box
  (its text's range rectangles lie inside the element's box, and a box that hides its overflow does not
  hide part of the text);
- ``distorted-image``: every visible, loaded ``<img>`` keeps its natural aspect ratio within 2 % (images
  drawn with ``object-fit: cover/contain`` are cropped or letterboxed, not distorted); a broken image
  (loaded, no pixels) fails too;
- ``header-overlap``: nothing from outside the page header is painted over it (sampled with
  ``elementFromPoint`` across the header's box);
- ``csp``: no ``securitypolicyviolation`` event since the page was prepared;
- ``console``: no console error and no uncaught exception.

``page_problems`` returns the problems as a list of strings, for tests that visit many pages and report
them all at once; ``check_page`` asserts there are none.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"

# Recorded in the page before any of its scripts run, on every navigation of the context's pages.
_INIT_SCRIPT = """
(() => {
  window.__visualCsp = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__visualCsp.push(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`
      + (event.sourceFile ? ` (${event.sourceFile}:${event.lineNumber})` : ''));
  });
})();
"""

_CHECKS = r"""
async () => {
  await document.fonts.ready;
  const problems = [];
  const describe = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += '#' + el.id;
    const classes = (typeof el.className === 'string' ? el.className : '').trim().split(/\s+/).filter(Boolean);
    if (classes.length) text += '.' + classes.slice(0, 3).join('.');
    const label = (el.innerText || el.value || el.getAttribute('alt') || el.getAttribute('aria-label') || '')
      .trim().replace(/\s+/g, ' ').slice(0, 50);
    return label ? `${text} « ${label} »` : text;
  };
  const visible = (el) => {
    if (!el.getClientRects().length) return false;
    const style = getComputedStyle(el);
    return style.visibility !== 'hidden' && style.opacity !== '0';
  };
  // Text hidden for screen readers only (fr-sr-only and the like): clipped on purpose.
  const visuallyHidden = (el, stop) => {
    for (let node = el; node && node !== stop.parentElement; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.clip !== 'auto' && style.clip !== '' ) return true;
      if (style.clipPath && style.clipPath !== 'none') return true;
      const rect = node.getBoundingClientRect();
      if (rect.width <= 1 && rect.height <= 1) return true;
    }
    return false;
  };

  // Horizontal overflow.
  const width = window.innerWidth;
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth > width) {
    const culprits = [];
    for (const el of document.body.querySelectorAll('*')) {
      if (!visible(el)) continue;
      const rect = el.getBoundingClientRect();
      if (rect.right <= width + 1 || rect.width === 0) continue;
      const parent = el.parentElement && el.parentElement.getBoundingClientRect();
      if (parent && parent.right > width + 1) continue;  // report the outermost element that sticks out
      culprits.push(`${describe(el)} (right edge ${Math.round(rect.right)} px)`);
      if (culprits.length >= 5) break;
    }
    problems.push(`overflow: the page is ${scrollWidth} px wide for a ${width} px viewport: ${culprits.join('; ') || '?'}`);
  }

  // Clipped labels.
  const labelled = document.querySelectorAll('a, button, [role=button], input[type=submit], input[type=button]');
  for (const el of labelled) {
    if (!visible(el) || visuallyHidden(el, el)) continue;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (el.tagName === 'INPUT') {
      if (el.scrollWidth > el.clientWidth + 1) problems.push(`clipped-label: ${describe(el)} is wider than its box`);
      continue;
    }
    // The text's visible part: a label drawn partly outside its box, or cut by a box that hides its
    // overflow, is clipped. A text drawn wholly outside a box that hides it is an icon-only button
    // (DSFR's search and menu buttons below md): accepted when the element has a name (title, aria-label).
    const hides = (v) => v === 'hidden' || v === 'clip' || v === 'auto' || v === 'scroll';
    const clips = style.display !== 'inline' && (hides(style.overflowX) || hides(style.overflowY));
    if (style.display === 'inline' && !clips) continue;  // an inline link's box is its text
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let shown = 0, cut = null, hidden = 0;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim() || !node.parentElement || !visible(node.parentElement)) continue;
      if (visuallyHidden(node.parentElement, el)) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) {
        if (r.width <= 0) continue;
        const inter = Math.min(r.right, box.right) - Math.max(r.left, box.left);
        const interY = Math.min(r.bottom, box.bottom) - Math.max(r.top, box.top);
        const outside = r.left < box.left - 2 || r.right > box.right + 2 || r.top < box.top - 2 || r.bottom > box.bottom + 2;
        if (clips && (inter < 1 || interY < 1)) { hidden += 1; continue; }
        shown += 1;
        if (outside && !cut) cut = node.textContent.trim().slice(0, 40);
      }
    }
    if (cut) {
      problems.push(`clipped-label: ${describe(el)}: the text « ${cut} » goes out of its box`);
    } else if (hidden && !shown && !(el.getAttribute('title') || el.getAttribute('aria-label'))) {
      problems.push(`clipped-label: ${describe(el)} shows none of its text and has no title or aria-label`);
    }
  }

  // Distorted or broken images.
  for (const img of document.querySelectorAll('img')) {
    if (!visible(img) || !img.complete) continue;
    if (!img.naturalWidth) {
      problems.push(`distorted-image: ${describe(img)} (${img.currentSrc || img.src}) is broken`);
      continue;
    }
    const fit = getComputedStyle(img).objectFit;
    if (fit === 'cover' || fit === 'contain' || fit === 'scale-down') continue;
    const style = getComputedStyle(img);
    const w = img.getBoundingClientRect().width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
      - parseFloat(style.borderLeftWidth) - parseFloat(style.borderRightWidth);
    const h = img.getBoundingClientRect().height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom)
      - parseFloat(style.borderTopWidth) - parseFloat(style.borderBottomWidth);
    if (w < 2 || h < 2) continue;
    const rendered = w / h, natural = img.naturalWidth / img.naturalHeight;
    if (Math.abs(rendered / natural - 1) > 0.02) {
      problems.push(`distorted-image: ${describe(img)} (${img.currentSrc || img.src}) drawn ${Math.round(w)}×${Math.round(h)}`
        + ` for ${img.naturalWidth}×${img.naturalHeight} (ratio off by ${Math.round(Math.abs(rendered / natural - 1) * 100)} %)`);
    }
  }

  // Nothing painted over the header.
  const header = document.querySelector('header, [role=banner]');
  if (header && visible(header)) {
    const rect = header.getBoundingClientRect();
    const seen = new Set();
    for (let y = rect.top + 2; y < Math.min(rect.bottom, window.innerHeight) - 1; y += 12) {
      for (let x = rect.left + 2; x < Math.min(rect.right, width) - 1; x += 12) {
        const top = document.elementFromPoint(x, y);
        if (!top || header.contains(top) || top.contains(header) || seen.has(top)) continue;
        seen.add(top);
        problems.push(`header-overlap: ${describe(top)} is painted over the header at (${Math.round(x)}, ${Math.round(y)})`);
      }
    }
  }

  for (const violation of window.__visualCsp || []) problems.push(`csp: ${violation}`);
  return problems;
}
"""


@dataclass
class Recorder:
    """What the page said while it ran: console errors and uncaught exceptions, with the page's URL."""

    console_errors: list[str] = field(default_factory=list)
    allowed: list[re.Pattern] = field(default_factory=list)

    def allow(self, pattern: str):
        """Accept console errors matching ``pattern`` (e.g. the 404 of a page that is meant to be missing)."""
        self.allowed.append(re.compile(pattern))

    def take(self, allow=()) -> list[str]:
        patterns = self.allowed + [re.compile(pattern) for pattern in allow]
        errors = [e for e in self.console_errors if not any(p.search(e) for p in patterns)]
        self.console_errors.clear()
        return errors


def prepare(page) -> Recorder:
    """Set the page up for ``check_page``; call it before the first navigation."""
    recorder = Recorder()
    page.add_init_script(_INIT_SCRIPT)

    def on_console(message):
        if message.type == "error":  # the message's own document: it may arrive after the next goto
            recorder.console_errors.append(f"{message.location.get('url') or page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: recorder.console_errors.append(f"{page.url}: uncaught {exc}"))
    page._visual_recorder = recorder
    return recorder


def screenshot_path(name: str, width) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "page"
    return SCREENSHOTS / str(width) / f"{safe}.png"


def page_problems(page, name: str, width=None, screenshot: bool = True, allow_console=()) -> list[str]:
    """The visual problems of the page as it is now, each prefixed by the page's name and width.

    ``allow_console``: patterns of console errors expected on this page only (a 404 page's own status).
    """
    width = width if width is not None else page.viewport_size["width"]
    page.evaluate("window.scrollTo(0, 0)")
    problems = page.evaluate(_CHECKS)
    if screenshot:
        path = screenshot_path(name, width)
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
    recorder = getattr(page, "_visual_recorder", None)  # read last: console messages arrive late
    if recorder is None:
        problems.append("prepare(page) was not called before the navigation: CSP and console not watched")
    else:
        problems += [f"console: {error}" for error in recorder.take(allow_console)]
    return [f"{name} @ {width} px: {problem}" for problem in problems]


def check_page(page, name: str, width=None, screenshot: bool = True, allow_console=()):
    """Assert the page has no visual problem (see the module's rules) and save its full-page screenshot."""
    problems = page_problems(page, name, width, screenshot, allow_console)
    assert not problems, "\n".join(problems)
