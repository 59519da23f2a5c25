// Raccolta's own JavaScript: small ES modules, loaded with type="module" (no inline scripts: strict CSP).
// Pages work without it; it only improves what the browser does by itself.

import { rigeneraCaptcha } from './captcha.js';

// Moves focus to the main content when the skip link is used, also in browsers that scroll without focusing.
const main = document.getElementById('main');
if (main) {
  main.setAttribute('tabindex', '-1');
  document.querySelectorAll('a[href="#main"]').forEach((link) => {
    link.addEventListener('click', () => main.focus());
  });
}


rigeneraCaptcha();

// Moves focus to the error summary of a form that came back with errors, so it is read first.
const riepilogo = document.getElementById('riepilogo-errori');
if (riepilogo) riepilogo.focus();
