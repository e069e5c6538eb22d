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
