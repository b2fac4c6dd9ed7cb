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
  const sealed = await notes.sealNote(dataKey, 12, 'Canary words — with ünïcode and a line\nbreak');
  const stored = notes.toBase64(new Uint8Array([...notes.fromBase64(sealed.nonce), ...notes.fromBase64(sealed.ciphertext)]));
  assert.equal(await notes.openNote(dataKey, 12, stored), 'Canary words — with ünïcode and a line\nbreak');
  await assert.rejects(notes.openNote(dataKey, 13, stored), notes.CannotOpen);
  await assert.rejects(notes.openDataKey(made.notesKey, 13, wrappedKey), notes.CannotOpen);
  const other = await notes.createDataKey(made.notesKey, 12);
  await assert.rejects(notes.openNote(other.dataKey, 12, stored), notes.CannotOpen);
  assert.equal(notes.fromBase64(sealed.nonce).length, 12);
  assert.ok(!Buffer.from(notes.fromBase64(sealed.ciphertext)).toString('latin1').includes('Canary'));
});

test('two notes with the same words are sealed differently (a fresh nonce each time)', async () => {
  const made = await notes.createKeyring(7, 'a long notes passphrase', QUICK);
  const { dataKey } = await notes.createDataKey(made.notesKey, 12);
  const first = await notes.sealNote(dataKey, 12, 'same words');
  const second = await notes.sealNote(dataKey, 12, 'same words');
  assert.notEqual(first.nonce, second.nonce);
  assert.notEqual(first.ciphertext, second.ciphertext);
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
