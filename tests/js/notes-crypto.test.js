// Unit tests of the private notes' key handling (static/alongside/notes-crypto.js), in Node's own test runner with
// Node's WebCrypto: the same file the browser runs. `make test` runs them (`node --test tests/js`).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const notes = require('../../static/alongside/notes-crypto.js');

// Fewer iterations than a real keyring, where a test makes many: the count is a parameter stored with the key, and
// one test below shows a real keyring uses the full 600,000.
const QUICK = { iterations: 1000 };

function keyringFor(owner, made) {
  return { owner, ...made.stored };
}

test('a new keyring is unlocked by its passphrase and by its recovery key, and by nothing else', async () => {
  const made = await notes.createKeyring(7, 'a long notes passphrase', QUICK);
  const keyring = keyringFor(7, made);
  assert.ok(await notes.unlockWithPassphrase(keyring, 'a long notes passphrase'));
  assert.ok(await notes.unlockWithRecoveryKey(keyring, made.recoveryKey));
  await assert.rejects(notes.unlockWithPassphrase(keyring, 'a long notes passphrasf'), notes.WrongSecret);
  const other = await notes.createKeyring(7, 'a long notes passphrase', QUICK);
  await assert.rejects(notes.unlockWithRecoveryKey(keyring, other.recoveryKey), notes.WrongSecret);
});

test('the notes key is bound to its owner: another person\'s row with the same wrapping does not unlock', async () => {
  const made = await notes.createKeyring(7, 'a long notes passphrase', QUICK);
  await assert.rejects(notes.unlockWithPassphrase(keyringFor(8, made), 'a long notes passphrase'), notes.WrongSecret);
});

test('a real keyring is stretched with 600,000 iterations or more, and the count is read back from the row', async () => {
  assert.ok(notes.ITERATIONS >= 600000);
  const made = await notes.createKeyring(3, 'passphrase of a real keyring');
  assert.equal(made.stored.iterations, notes.ITERATIONS);
  assert.equal(notes.fromBase64(made.stored.salt).length, 16);
  assert.equal(notes.fromBase64(made.stored.wrapped_by_passphrase).length, 12 + 32 + 16);
  assert.match(made.stored.key_id, /^[0-9a-f]{32}$/);
  const quicker = { ...made.stored, iterations: 1000 };
  await assert.rejects(notes.unlockWithPassphrase({ owner: 3, ...quicker }, 'passphrase of a real keyring'));
});

test('an unlocked notes key and the data keys it opens cannot be read out of the page', async () => {
  const made = await notes.createKeyring(7, 'a long notes passphrase', QUICK);
  const notesKey = await notes.unlockWithPassphrase(keyringFor(7, made), 'a long notes passphrase');
  assert.equal(notesKey.extractable, false);
  await assert.rejects(crypto.subtle.exportKey('raw', notesKey));
  const { dataKey, wrappedKey } = await notes.createDataKey(notesKey, 12);
  assert.equal(dataKey.extractable, false);
  const reopened = await notes.openDataKey(notesKey, 12, wrappedKey);
  assert.equal(reopened.extractable, false);
});

test('a note reads back under its engagement, and not under another engagement or another key', async () => {
  const made = await notes.createKeyring(7, 'a long notes passphrase', QUICK);
  const { dataKey, wrappedKey } = await notes.createDataKey(made.notesKey, 12);
  const note = { uid: notes.newNoteId(), version: 1 };
  const sealed = await notes.sealNote(dataKey, 12, 'Canary words — with ünïcode and a line\nbreak', note);
  assert.equal(await notes.openNote(dataKey, 12, sealed, note), 'Canary words — with ünïcode and a line\nbreak');
  await assert.rejects(notes.openNote(dataKey, 13, sealed, note), notes.CannotOpen);
  await assert.rejects(notes.openDataKey(made.notesKey, 13, wrappedKey), notes.CannotOpen);
  const other = await notes.createDataKey(made.notesKey, 12);
  await assert.rejects(notes.openNote(other.dataKey, 12, sealed, note), notes.CannotOpen);
  assert.ok(!Buffer.from(notes.fromBase64(sealed)).toString('latin1').includes('Canary'));
});

test('a sealed note is one value, as the server stores it: the 12-byte nonce, the ciphertext, the 16-byte tag', async () => {
  const made = await notes.createKeyring(7, 'a long notes passphrase', QUICK);
  const { dataKey } = await notes.createDataKey(made.notesKey, 12);
  const words = 'Twelve words'; // 12 bytes of UTF-8

  const sealed = await notes.sealNote(dataKey, 12, words, { uid: notes.newNoteId(), version: 1 });

  assert.equal(typeof sealed, 'string');
  assert.equal(notes.fromBase64(sealed).length, 12 + new TextEncoder().encode(words).length + 16);
  assert.equal(notes.toBase64(notes.fromBase64(sealed)), sealed);
});

test('two notes with the same words are sealed differently (a fresh nonce each time)', async () => {
  const made = await notes.createKeyring(7, 'a long notes passphrase', QUICK);
  const { dataKey } = await notes.createDataKey(made.notesKey, 12);
  const note = { uid: notes.newNoteId(), version: 1 };
  const first = await notes.sealNote(dataKey, 12, 'same words', note);
  const second = await notes.sealNote(dataKey, 12, 'same words', note);
  const nonce = (sealed) => Buffer.from(notes.fromBase64(sealed).subarray(0, 12)).toString('hex');
  assert.notEqual(nonce(first), nonce(second));
  assert.notEqual(first.slice(16), second.slice(16)); // the ciphertexts too, after the nonce's 16 base64 letters
});

test('two notes\' stored words swapped within one engagement do not open, and say why', async () => {
  const made = await notes.createKeyring(7, 'a long notes passphrase', QUICK);
  const { dataKey } = await notes.createDataKey(made.notesKey, 12);
  const first = { uid: notes.newNoteId(), version: 1 };
  const second = { uid: notes.newNoteId(), version: 1 };
  const firstWords = await notes.sealNote(dataKey, 12, 'Worried about the chair', first);
  const secondWords = await notes.sealNote(dataKey, 12, 'The board is ready', second);
  // The database swapped: each row now holds the other's sealed words.
  await assert.rejects(notes.openNote(dataKey, 12, secondWords, first), (error) =>
    error instanceof notes.CannotOpen && /moved from another note/.test(error.message));
  await assert.rejects(notes.openNote(dataKey, 12, firstWords, second), notes.CannotOpen);
});

test('a note\'s earlier words put back do not open under its later version', async () => {
  const made = await notes.createKeyring(7, 'a long notes passphrase', QUICK);
  const { dataKey } = await notes.createDataKey(made.notesKey, 12);
  const uid = notes.newNoteId();
  const earlier = await notes.sealNote(dataKey, 12, 'First thoughts', { uid, version: 1 });
  const later = await notes.sealNote(dataKey, 12, 'Second thoughts', { uid, version: 2 });
  assert.equal(await notes.openNote(dataKey, 12, later, { uid, version: 2 }), 'Second thoughts');
  await assert.rejects(notes.openNote(dataKey, 12, earlier, { uid, version: 2 }), (error) =>
    error instanceof notes.CannotOpen && /earlier version/.test(error.message));
});

test('an older note, bound to its engagement alone (version 0), still opens; new words are never sealed so', async () => {
  const made = await notes.createKeyring(7, 'a long notes passphrase', QUICK);
  const made12 = await notes.createDataKey(made.notesKey, 12);
  const oldKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  const old = new Uint8Array(await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: nonce, additionalData: new TextEncoder().encode('alongside:private-note:12') },
    oldKey, new TextEncoder().encode('Sealed before')));
  const older = notes.toBase64(new Uint8Array([...nonce, ...old]));
  const uid = notes.newNoteId();
  assert.equal(await notes.openNote(oldKey, 12, older, { uid, version: 0 }), 'Sealed before');
  await assert.rejects(notes.openNote(oldKey, 12, older, { uid, version: 1 }), notes.CannotOpen);
  await assert.rejects(notes.sealNote(made12.dataKey, 12, 'x', { uid, version: 0 }), TypeError);
  await assert.rejects(notes.openNote(made12.dataKey, 12, older, {}), TypeError);
});

test('a new note\'s id is a random version 4 UUID in lower case, as Python spells it', () => {
  const ids = new Set(Array.from({ length: 50 }, () => notes.newNoteId()));
  assert.equal(ids.size, 50);
  ids.forEach((id) => assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/));
});

test('a new passphrase wraps the same notes key: the old passphrase stops working, data keys still open', async () => {
  const made = await notes.createKeyring(7, 'the first passphrase', QUICK);
  const keyring = keyringFor(7, made);
  const { wrappedKey } = await notes.createDataKey(made.notesKey, 12);
  const extractable = await notes.unlockWithPassphrase(keyring, 'the first passphrase', { extractable: true });
  const rewrapped = await notes.wrapForPassphrase(extractable, 7, 'the second passphrase', QUICK);
  const changed = { ...keyring, ...rewrapped };
  await assert.rejects(notes.unlockWithPassphrase(changed, 'the first passphrase'), notes.WrongSecret);
  const notesKey = await notes.unlockWithPassphrase(changed, 'the second passphrase');
  assert.ok(await notes.openDataKey(notesKey, 12, wrappedKey));
  assert.ok(await notes.unlockWithRecoveryKey(changed, made.recoveryKey));
});

test('the recovery key is 13 groups of four, and forgives spaces, hyphens and lower case', async () => {
  const made = await notes.createKeyring(7, 'a long notes passphrase', QUICK);
  assert.match(made.recoveryKey, /^([A-Z2-7]{4}-){12}[A-Z2-7]{4}$/);
  const typed = made.recoveryKey.toLowerCase().replace(/-/g, ' ');
  assert.ok(await notes.unlockWithRecoveryKey(keyringFor(7, made), typed));
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  assert.deepEqual(notes.recoveryBytes(notes.recoveryText(bytes)), bytes);
  assert.throws(() => notes.recoveryBytes('ABCD-EFGH'), notes.WrongSecret);
  assert.throws(() => notes.recoveryBytes(made.recoveryKey.replace(/^./, '1')), notes.WrongSecret);
});

test('the download neutralises formulas and quotes what a spreadsheet would split', () => {
  assert.equal(notes.neutralise('=HYPERLINK("x")'), '\'=HYPERLINK("x")');
  assert.equal(notes.neutralise('  +1'), '\'  +1');
  assert.equal(notes.neutralise('\uff1dSUM(A1)'), '\'\uff1dSUM(A1)');
  assert.equal(notes.neutralise('plain words'), 'plain words');
  assert.equal(notes.neutralise(''), '');
  assert.equal(
    notes.csv([['site', 'note'], ['Place, with comma', 'said "this"\nthen -that']]),
    'site,note\r\n"Place, with comma","said ""this""\nthen -that"\r\n',
  );
});

test('no note opens without a data key (an engagement with none), and it says so as for any note it cannot open', async () => {
  const made = await notes.createKeyring(7, 'a long notes passphrase', QUICK);
  const { dataKey } = await notes.createDataKey(made.notesKey, 12);
  const note = { uid: notes.newNoteId(), version: 1 };
  const sealed = await notes.sealNote(dataKey, 12, 'Words', note);

  await assert.rejects(notes.openNote(null, 12, sealed, note), notes.CannotOpen);
});
