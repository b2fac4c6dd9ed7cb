// @ts-check
// How the pages of private notes talk to Alongside: a form sent with fetch, answered in JSON, and every way that
// can go wrong turned into words a person can read (`Refused`). It sends only what the page hands it, which for a
// note is what notes-crypto.js sealed: the words of a note never travel in the clear.
//
// No document here: the page hands in how to read the form token out of a page of HTML, so that Node's test runner
// drives the same file with a fake fetch (tests/js/notes-transport.test.js).

/**
 * What a form sends: a Blob goes as a file (`<name>.json`), null and undefined are left out, the rest as text.
 * @typedef {Record<string, string | number | Blob | null | undefined>} Fields
 */

/**
 * @typedef {object} TransportOptions
 * @property {string} token the form token (CSRF) the page was given
 * @property {string} page the page's own address, fetched again for a fresh token after signing in again
 * @property {(html: string) => string | null} readToken the form token in a page of HTML, if it has one
 * @property {() => void} signedOut what the page does when the person turns out to be signed out (lock the notes)
 * @property {typeof fetch} [fetch] the browser's fetch unless another is given (tests)
 */

(function (root) {
  'use strict';

  const UNREACHABLE = 'Alongside could not be reached. Nothing has been saved: check your connection and try again.';
  const SERVER_FAILED = 'Alongside could not save this just now. Nothing has been saved: try again in a moment.';
  const SIGNED_OUT = 'You are signed out, so nothing has been saved and your notes are locked. What you were ' +
    'writing is kept on this page: sign in again in another tab, then come back and unlock your notes to save it.';
  const NOT_SAVED = 'Nothing has been saved: try again.';

  class Refused extends Error {
    /**
     * @param {string[]} problems
     * @param {string | null} [confirm] where to confirm it is you, when the server asks for that first
     */
    constructor(problems, confirm) {
      super(problems.join(' '));
      this.problems = problems;
      this.confirm = confirm || null;
    }
  }

  /** @param {Response} response */
  function isJson(response) {
    return (response.headers.get('Content-Type') || '').includes('application/json');
  }

  /** @param {TransportOptions} options */
  function createTransport(options) {
    /** @type {typeof fetch} */
    const fetchFrom = options.fetch || ((input, init) => root.fetch(input, init));
    let csrf = options.token;

    /**
     * @param {string} url
     * @param {Fields} fields
     */
    async function post(url, fields) {
      const body = new FormData();
      Object.entries(fields).forEach(([name, value]) => {
        if (value instanceof Blob) {
          body.append(name, value, `${name}.json`);
        } else if (value !== null && value !== undefined) {
          body.append(name, String(value));
        }
      });
      return fetchFrom(url, {
        method: 'POST',
        body,
        credentials: 'same-origin',
        headers: { Accept: 'application/json', 'X-CSRFToken': csrf },
      });
    }

    // After signing in again (in another tab), the form token this page was given no longer matches: this page is
    // fetched again for a fresh one. Sent to the sign-in page instead, the person is signed out.
    async function freshToken() {
      const page = await fetchFrom(options.page, { credentials: 'same-origin' });
      if (!page.ok || page.redirected) {
        return false;
      }
      const fresh = options.readToken(await page.text());
      if (!fresh) {
        return false;
      }
      csrf = fresh;
      return true;
    }

    /**
     * Sends the fields and answers the server's JSON, or throws `Refused` with the words to show.
     * @param {string} url
     * @param {Fields} fields
     * @returns {Promise<unknown>} the server's answer, whose shape the page's call declares
     */
    async function send(url, fields) {
      let response;
      try {
        response = await post(url, fields);
        if (response.status === 403 && !isJson(response) && await freshToken()) {
          response = await post(url, fields);
        }
      } catch (error) {
        throw new Refused([UNREACHABLE]);
      }
      const json = isJson(response);
      if (response.status >= 500) {
        throw new Refused([SERVER_FAILED]);
      }
      if (!json || response.redirected) {
        // Sent to the sign-in page, or refused as a request from a page opened before signing in again.
        options.signedOut();
        throw new Refused([SIGNED_OUT]);
      }
      /** @type {unknown} */
      const answer = await response.json();
      if (!response.ok) {
        const refusal = /** @type {{ errors?: string[], code?: string, confirm?: string }} */ (answer);
        // Setting up or changing the passphrase asks for a recent password (accounts' re-authentication).
        const confirm = refusal.code === 'reauthentication_required' ? refusal.confirm : null;
        throw new Refused(refusal.errors || [NOT_SAVED], confirm);
      }
      return answer;
    }

    /** The form token in use: the page's own, or the fresh one fetched after signing in again. */
    function token() {
      return csrf;
    }

    return { send, token };
  }

  const api = { Refused, createTransport };
  root.AlongsideNotesTransport = api;
  if (typeof module === 'object' && module.exports) {
    module.exports = api;
  }
})(/** @type {typeof globalThis} */ (typeof globalThis !== 'undefined' ? globalThis : this));
