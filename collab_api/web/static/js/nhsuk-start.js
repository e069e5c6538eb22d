// Starts the NHS.UK frontend's components (header menu, error summary focus, character counts ...).
// The pages work without it; it only enhances them.
import { initAll } from '/assets/nhsuk-frontend.min.js';

initAll();

// On a narrow screen, fold the search filters that nobody has chosen yet, so that the first
// result is on the first screen. Without JavaScript they stay open (the page still works).
if (window.matchMedia('(max-width: 40.0525em)').matches) {
  for (const details of document.querySelectorAll('details[data-fold-when-narrow]')) {
    if (!details.hasAttribute('data-chosen')) details.removeAttribute('open');
  }
}

// Organisation finders: suggestions as you type (GOV.UK's accessible autocomplete, served
// locally). Without JavaScript the field is searched on the server when the form is sent, and
// several matches are offered in a list; a chosen suggestion sends "Name (CODE)", found the same way.
const finders = document.querySelectorAll('input[data-organisation-finder]');
if (finders.length) {
  const style = document.createElement('link');
  style.rel = 'stylesheet';
  style.href = '/static/autocomplete/accessible-autocomplete.min.css';
  document.head.appendChild(style);
  const script = document.createElement('script');
  script.src = '/static/autocomplete/accessible-autocomplete.min.js';
  script.onload = () => finders.forEach(enhanceFinder);
  document.head.appendChild(script);
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

function enhanceFinder(input) {
  const kind = input.dataset.organisationFinder;
  const described = input.getAttribute('aria-describedby'); // the hint and any error, kept for screen readers
  const container = document.createElement('div');
  container.className = 'app-organisation-finder';
  input.parentNode.insertBefore(container, input);
  input.remove();
  const label = (o) => (typeof o === 'string' ? o : `${o.name} (${o.odsCode})`);
  window.accessibleAutocomplete({
    element: container,
    id: input.id,
    name: input.name,
    defaultValue: input.value,
    minLength: 2,
    confirmOnBlur: false,
    inputClasses: input.className,
    tNoResults: () => 'No organisation found: check the spelling, or enter its ODS code',
    source: (query, populate) => {
      const address = `/organisations/suggest.json?q=${encodeURIComponent(query)}${kind ? `&kind=${encodeURIComponent(kind)}` : ''}`;
      fetch(address, { credentials: 'same-origin' }).then((r) => (r.ok ? r.json() : [])).then(populate, () => populate([]));
    },
    templates: {
      inputValue: (o) => (o ? label(o) : ''),
      suggestion: (o) => escapeHtml(label(o)), // the library shows it as HTML
    },
  });
  const created = document.getElementById(input.id);
  if (created && described) {
    const keep = () => {
      const own = (created.getAttribute('aria-describedby') || '').split(' ').filter((id) => id && !described.includes(id));
      const wanted = [described, ...own].join(' ');
      if (created.getAttribute('aria-describedby') !== wanted) created.setAttribute('aria-describedby', wanted);
    };
    keep();
    new MutationObserver(keep).observe(created, { attributes: true, attributeFilter: ['aria-describedby'] });
  }
}

// The spread map's "play": step through the quarters of the quarter select, oldest first, each
// quarter's map fetched as the page itself (the same URL with that quarter) and swapped in.
// Without JavaScript the quarter select and the Show button do the same, a quarter at a time.
const player = document.querySelector('[data-map-play]');
const quarterSelect = document.querySelector('select[name="quarter"]');
if (player && quarterSelect) {
  const button = player.querySelector('[data-map-play-button]');
  const status = player.querySelector('[data-map-play-status]');
  const listed = player.dataset.mapQuarters;  // the quarters with data, oldest first, when the page knows them
  const quarters = listed ? listed.split('|') : [...quarterSelect.options].map((o) => o.value).filter(Boolean).reverse();
  let playing = false;
  player.hidden = false;
  const show = async (quarter, index) => {
    const url = new URL(window.location.href);
    url.searchParams.set('quarter', quarter);
    const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
    if (!response.ok) throw new Error(`${response.status}`);
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    const body = page.querySelector('[data-map-body]');
    if (body) document.querySelector('[data-map-body]').replaceWith(document.adoptNode(body));
    const heading = page.querySelector('[data-map-heading]');
    if (heading) document.querySelector('[data-map-heading]').textContent = heading.textContent;
    status.textContent = `Showing ${quarter} (${index + 1} of ${quarters.length})`;
  };
  button.addEventListener('click', async () => {
    if (playing) { playing = false; return; }
    playing = true;
    button.textContent = 'Stop';
    try {
      for (let index = 0; index < quarters.length && playing; index += 1) {
        await show(quarters[index], index);
        await new Promise((resolve) => { setTimeout(resolve, 1200); });
      }
    } catch (error) {
      status.textContent = 'The quarters could not be loaded: choose a quarter above and select Show.';
    }
    playing = false;
    button.textContent = 'Play through the quarters';
  });
}
