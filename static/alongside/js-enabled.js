// @ts-check
// Runs at the top of <body>, before anything paints, so NHS.UK components style themselves for JavaScript.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' nhsuk-frontend-supported' : '');
// Signing out tells every other tab of Alongside, so that a page with private notes unlocked locks them at once
// (notes.js listens). Only the moment is stored, nothing about the person.
document.addEventListener('submit', (event) => {
  if (event.target instanceof Element && event.target.matches('form[action$="/accounts/logout/"]')) {
    try {
      window.localStorage.setItem('alongside-signed-out', String(Date.now()));
    } catch (error) {
      // storage refused (a private window's quota): the other tabs lock at their next request instead
    }
  }
});
