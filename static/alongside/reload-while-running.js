// @ts-check
// An import's page while it is checked or imported: shows the latest every few seconds, until it has finished.
// (A file, not inline: the Content Security Policy allows scripts from 'self' only; no <meta refresh>, which
// takes control of the page away from people using assistive technology.)
const running = document.querySelector('[data-alongside-reload]');
if (running instanceof HTMLElement) {
  window.setTimeout(() => window.location.reload(), Number(running.dataset.alongsideReload) || 2000);
}
