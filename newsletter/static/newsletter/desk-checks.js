/* The newsletter desk in Wagtail's edit view (inserted by newsletter/wagtail_hooks.py, insert_editor_js).

   1. A check's link « Section « À vos agendas ! », élément 2 « … » » is Wagtail's own address of a block,
      `<edit url>#:w:contentpath=sections.<block uuid>.items.<item uuid>` (the `data-contentpath`
      attributes of the form, the links of Wagtail's « Usage » listing). Wagtail scrolls to such an
      address on load but leaves collapsed blocks closed: here every collapsed panel on the way is opened,
      the block is scrolled to the middle of the screen, outlined for a moment and given the focus (its
      panel's toggle, or the field's input), on load and when a link of the checks panel is followed.
   2. The pre-export checks in Wagtail's checks side panel are fetched when the panel opens (the e-mail's
      rendering takes a while on a big edition: the edit view does not wait for it), and again on
      « Relancer les vérifications ».
*/
(() => {
  const contentpathOf = (hash) => {
    const at = (hash || '').indexOf(':w:');
    return at === -1 ? null : new URLSearchParams(hash.slice(at + 3)).get('contentpath');
  };

  const findTarget = (path) => {
    const selector = path
      .split('.')
      .filter(Boolean)
      .map((part) => `[data-contentpath="${CSS.escape(part)}"]`)
      .join(' ');
    return selector ? document.querySelector(selector) : null;
  };

  const openPanel = (panel) => {
    const toggle = panel.querySelector('[data-panel-toggle]'); // its own header's, first in the panel
    if (toggle && toggle.getAttribute('aria-expanded') === 'false') toggle.click();
  };

  const goTo = (path) => {
    const target = findTarget(path);
    if (!target) return false;
    const tab = target.closest('[role=tabpanel][hidden]');
    if (tab) {
      const tabButton = document.querySelector(`[role=tab][aria-controls="${CSS.escape(tab.id)}"]`);
      if (tabButton) tabButton.click();
    }
    const panels = [];
    for (let el = target; el; el = el.parentElement) if (el.matches('[data-panel]')) panels.unshift(el);
    const own = target.querySelector(':scope > [data-panel]');
    if (own) panels.push(own);
    panels.forEach(openPanel);
    const focusable =
      (own && own.querySelector('[data-panel-toggle]')) ||
      target.querySelector('input:not([type=hidden]), textarea, select, [contenteditable=true]');
    target.classList.add('newsletter-goto');
    window.setTimeout(() => target.classList.remove('newsletter-goto'), 4000);
    // `instant`: the admin's scroller scrolls smoothly (CSS), and a smooth scroll is cut short by the
    // layout changes of the panels opening; scrolled again once they have settled.
    const scroll = () => target.scrollIntoView({ block: 'center', behavior: 'instant' });
    window.requestAnimationFrame(scroll);
    window.setTimeout(() => {
      const box = target.getBoundingClientRect();
      if (box.top < 0 || box.top > window.innerHeight) scroll();
    }, 600);
    if (focusable) focusable.focus({ preventScroll: true });
    return true;
  };

  // On load (after Wagtail's own scroll to the address, which leaves collapsed blocks closed).
  window.addEventListener('load', () => {
    const path = contentpathOf(window.location.hash);
    if (path) window.setTimeout(() => goTo(path), 250);
  });

  // The links of the checks list (same page): open the block, even when the address does not change.
  document.addEventListener('click', (event) => {
    const link = event.target.closest && event.target.closest('a[data-newsletter-goto]');
    if (!link || !link.getAttribute('href').startsWith('#')) return;
    if (goTo(link.dataset.newsletterGoto)) {
      event.preventDefault();
      window.history.replaceState(null, '', link.getAttribute('href'));
    }
  });

  // The pre-export checks in Wagtail's checks side panel.
  const initPanel = () => {
    const section = document.querySelector('[data-newsletter-checks-url]');
    if (!section) return;
    const body = section.querySelector('[data-newsletter-checks-body]');
    const reload = section.querySelector('[data-newsletter-checks-reload]');
    let loaded = false;
    const load = async () => {
      loaded = true;
      body.setAttribute('aria-busy', 'true');
      body.innerHTML = `<p>${body.dataset.loadingText || 'Vérification en cours…'}</p>`;
      try {
        const response = await fetch(section.dataset.newsletterChecksUrl, {
          headers: { 'X-Requested-With': 'XMLHttpRequest' },
          credentials: 'same-origin',
        });
        if (!response.ok) throw new Error(String(response.status));
        body.innerHTML = await response.text();
      } catch (error) {
        loaded = false;
        body.innerHTML = `<p class="help-block help-critical">Les vérifications n'ont pas pu être lancées (${error.message}) : réessayez avec « Relancer les vérifications ».</p>`;
      } finally {
        body.setAttribute('aria-busy', 'false');
      }
    };
    if (reload) reload.addEventListener('click', load);
    const panel = section.closest('[data-side-panel]');
    const visible = () => !panel || !panel.hidden;
    if (visible()) load();
    if (panel) {
      new MutationObserver(() => {
        if (visible() && !loaded) load();
      }).observe(panel, { attributes: true, attributeFilter: ['hidden'] });
    }
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', initPanel);
  else initPanel();
})();
