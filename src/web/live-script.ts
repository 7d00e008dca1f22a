/**
 * The pages' only script of their own (served as /assets/…/live.js). An element with
 * `data-live="<url>"` and `data-live-after="<position>"` opens a server-sent event stream from the
 * position the page was rendered at; each `swap` event carries HTML for an element of the page:
 * `replace` puts it in place of the element with the same id, `prepend` puts it first in the
 * target (or in place of an element it already holds, so a repeated event changes nothing).
 * When the stream breaks, it reopens after the last event received, with a growing delay, so the
 * page catches up without a reload. The swapped HTML is the server's (escaped by its templates);
 * htmx, where present, wires up what it holds. No eval, no inline script: the CSP allows neither.
 */
export const LIVE_SCRIPT = `(() => {
  'use strict';
  function apply(update) {
    const holder = document.createElement('template');
    holder.innerHTML = update.html;
    const element = holder.content.firstElementChild;
    if (!element) return;
    const existing = element.id ? document.getElementById(element.id) : null;
    if (existing) existing.replaceWith(element);
    else if (update.swap === 'prepend') {
      const target = document.getElementById(update.target);
      if (!target) return;
      target.prepend(element);
      const limit = Number(target.dataset.liveLimit || 0);
      while (limit && target.children.length > limit) target.lastElementChild.remove();
    } else return;
    if (window.htmx) window.htmx.process(element);
    document.dispatchEvent(new CustomEvent('live:applied', { detail: { id: element.id } }));
  }
  function connect(region) {
    let after = region.dataset.liveAfter || '';
    let delay = 250;
    const status = region.querySelector('.live-status');
    const show = (state, text) => {
      if (!status) return;
      status.dataset.state = state;
      status.textContent = text;
    };
    const open = () => {
      const url = new URL(region.dataset.live, location.href);
      if (after) url.searchParams.set('after', after);
      const source = new EventSource(url);
      source.onopen = () => {
        delay = 250;
        show('live', 'Live');
      };
      source.addEventListener('swap', (event) => {
        if (event.lastEventId) after = event.lastEventId;
        for (const update of JSON.parse(event.data)) apply(update);
      });
      source.onerror = () => {
        source.close();
        show('offline', 'Reconnecting…');
        setTimeout(open, delay);
        delay = Math.min(delay * 2, 8000);
      };
    };
    open();
  }
  const start = () => document.querySelectorAll('[data-live]').forEach(connect);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
`;
