// Starts the NHS.UK frontend's components (header menu, error summary focus, character counts ...).
// The pages work without it; it only enhances them.
import { initAll } from '/assets/nhsuk-frontend.min.js';

initAll();
