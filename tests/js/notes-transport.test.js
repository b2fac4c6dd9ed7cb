// Unit tests of how the private notes' pages talk to Alongside (static/alongside/notes-transport.js), with a fake
// fetch that answers as the server, the network or a sign-in page would. `make test` runs them
// (`node --test tests/js`).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { Refused, createTransport } = require('../../static/alongside/notes-transport.js');

function json(status, body) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

function html(status, body) {
  return new Response(body, { status, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}

// A fetch that answers each request with the next of `answers` (a Response, or an Error to throw as the network
// would), and remembers what it was sent.
function fakeFetch(...answers) {
  const sent = [];
  const fetch = async (url, init) => {
    sent.push({ url, init });
    const answer = answers.shift();
    if (!answer) {
      throw new Error(`No answer left for ${url}`);
    }
    if (answer instanceof Error) {
      throw answer;
    }
    return answer;
  };
  return { fetch, sent };
}

function transportWith(fetch) {
  const signedOut = [];
  const transport = createTransport({
    token: 'token-the-page-was-given',
    page: '/engagements/12/notes/',
    readToken: (page) => (page.match(/name="csrfmiddlewaretoken" value="([^"]+)"/) || [])[1] || null,
    signedOut: () => signedOut.push(true),
    fetch,
  });
  return { transport, signedOut };
}

// A sealed note is one value, base64 of its nonce then its ciphertext, as notes-crypto.js seals it.
const NOTE = {
  key_id: 'ab12', uid: '1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b', version: 1, sealed: 'bm9uY2Ugb2YgMTJzZWFsZWQgd29yZHM=',
};

test('a saved note answers the server\'s JSON; the form is posted with the page\'s token, asking for JSON', async () => {
  const { fetch, sent } = fakeFetch(json(200, { note: { id: 5, version: 1 } }));
  const { transport, signedOut } = transportWith(fetch);

  const answer = await transport.send('/engagements/12/notes/new/', { ...NOTE, wrapped_key: null, session: '' });

  assert.deepEqual(answer, { note: { id: 5, version: 1 } });
  assert.equal(sent.length, 1);
  const { url, init } = sent[0];
  assert.equal(url, '/engagements/12/notes/new/');
  assert.equal(init.method, 'POST');
  assert.equal(init.credentials, 'same-origin');
  assert.deepEqual(init.headers, { Accept: 'application/json', 'X-CSRFToken': 'token-the-page-was-given' });
  assert.deepEqual([...init.body.keys()], ['key_id', 'uid', 'version', 'sealed', 'session']);
  assert.equal(init.body.get('version'), '1');
  assert.equal(init.body.get('sealed'), 'bm9uY2Ugb2YgMTJzZWFsZWQgd29yZHM=');
  assert.deepEqual(signedOut, []);
});

test('a Blob travels as a JSON file named after its field', async () => {
  const { fetch, sent } = fakeFetch(json(200, { redirect: '/notes/passphrase/' }));
  const { transport } = transportWith(fetch);

  await transport.send('/notes/setup/', { moved: new Blob(['[]'], { type: 'application/json' }) });

  const moved = sent[0].init.body.get('moved');
  assert.equal(moved.name, 'moved.json');
  assert.equal(await moved.text(), '[]');
});

test('a refusal in JSON (403) is thrown with the server\'s own words, and the notes stay unlocked', async () => {
  const words = 'Another tab changed this note since: open the page again to see it.';
  const { fetch } = fakeFetch(json(403, { errors: [words] }));
  const { transport, signedOut } = transportWith(fetch);

  await assert.rejects(transport.send('/notes/5/edit/', NOTE), (error) => {
    assert.ok(error instanceof Refused);
    assert.deepEqual(error.problems, [words]);
    assert.equal(error.confirm, null);
    return true;
  });
  assert.deepEqual(signedOut, []);
});

test('a refusal without words says that nothing was saved', async () => {
  const { fetch } = fakeFetch(json(400, {}));
  const { transport } = transportWith(fetch);

  await assert.rejects(transport.send('/notes/5/edit/', NOTE), (error) =>
    error instanceof Refused && error.problems.join() === 'Nothing has been saved: try again.');
});

test('a refusal that asks the person to confirm it is them carries where to do so', async () => {
  const answer = { errors: ['Confirm it is you first.'], code: 'reauthentication_required', confirm: '/accounts/confirm/' };
  const { fetch } = fakeFetch(json(403, answer));
  const { transport } = transportWith(fetch);

  await assert.rejects(transport.send('/notes/setup/', {}), (error) =>
    error instanceof Refused && error.confirm === '/accounts/confirm/');
});

test('a network failure says nothing was saved; what was being saved is left as it was, and stays unlocked', async () => {
  const { fetch } = fakeFetch(new TypeError('Failed to fetch'));
  const { transport, signedOut } = transportWith(fetch);
  const fields = { ...NOTE };

  await assert.rejects(transport.send('/notes/5/edit/', fields), (error) => {
    assert.ok(error instanceof Refused);
    assert.deepEqual(error.problems, [
      'Alongside could not be reached. Nothing has been saved: check your connection and try again.',
    ]);
    return true;
  });
  assert.deepEqual(fields, NOTE);
  assert.deepEqual(signedOut, []);
});

test('a server error (500), even as an HTML page, says to try again in a moment and does not sign out', async () => {
  const { fetch } = fakeFetch(html(500, '<h1>Server Error (500)</h1>'));
  const { transport, signedOut } = transportWith(fetch);

  await assert.rejects(transport.send('/notes/5/edit/', NOTE), (error) => error instanceof Refused &&
    error.problems.join() === 'Alongside could not save this just now. Nothing has been saved: try again in a moment.');
  assert.deepEqual(signedOut, []);
});

test('a page of HTML instead of JSON (the sign-in page) locks the notes and says to sign in again', async () => {
  const { fetch } = fakeFetch(html(200, '<h1>Sign in</h1>'));
  const { transport, signedOut } = transportWith(fetch);

  await assert.rejects(transport.send('/notes/5/edit/', NOTE), (error) =>
    error instanceof Refused && /^You are signed out, so nothing has been saved/.test(error.message) &&
    /What you were writing is kept on this page/.test(error.message));
  assert.deepEqual(signedOut, [true]);
});

test('a 403 HTML page (the form token of an earlier sign-in) is sent again once with a fresh token', async () => {
  const page = '<div data-notes-app><input name="csrfmiddlewaretoken" value="fresh-token"></div>';
  const { fetch, sent } = fakeFetch(html(403, 'CSRF verification failed'), html(200, page), json(200, { note: {} }));
  const { transport, signedOut } = transportWith(fetch);

  const answer = await transport.send('/notes/5/edit/', NOTE);

  assert.deepEqual(answer, { note: {} });
  assert.deepEqual(sent.map(({ url }) => url), ['/notes/5/edit/', '/engagements/12/notes/', '/notes/5/edit/']);
  assert.equal(sent[2].init.headers['X-CSRFToken'], 'fresh-token');
  assert.equal(transport.token(), 'fresh-token');
  assert.deepEqual(signedOut, []);
});

test('a 403 HTML page whose own page has no fresh token (signed out) locks the notes, without sending again', async () => {
  const { fetch, sent } = fakeFetch(html(403, 'CSRF verification failed'), html(200, '<h1>Sign in</h1>'));
  const { transport, signedOut } = transportWith(fetch);

  await assert.rejects(transport.send('/notes/5/edit/', NOTE), (error) =>
    error instanceof Refused && /^You are signed out/.test(error.message));
  assert.equal(sent.length, 2);
  assert.equal(transport.token(), 'token-the-page-was-given');
  assert.deepEqual(signedOut, [true]);
});

test('an answer redirected to another page (the sign-in page) counts as signed out, even in JSON', async () => {
  const redirected = json(200, { note: {} });
  Object.defineProperty(redirected, 'redirected', { value: true });
  const { fetch } = fakeFetch(redirected);
  const { transport, signedOut } = transportWith(fetch);

  await assert.rejects(transport.send('/notes/5/edit/', NOTE), Refused);
  assert.deepEqual(signedOut, [true]);
});
