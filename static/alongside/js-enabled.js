// Runs at the top of <body>, before anything paints, so NHS.UK components style themselves for JavaScript.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' nhsuk-frontend-supported' : '');
