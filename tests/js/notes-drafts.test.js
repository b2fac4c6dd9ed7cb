// Unit tests of the unsaved words an engagement's notes page keeps while the notes are locked
// (static/alongside/notes-drafts.js), sealed with the real key handling (notes-crypto.js) and Node's WebCrypto.
// `make test` runs them (`node --test tests/js`).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const sealing = require('../../static/alongside/notes-crypto.js');
const { createDrafts } = require('../../static/alongside/notes-drafts.js');

async function restored(drafts) {
  const putBack = [];
  await drafts.restore((note, words) => putBack.push({ note, words }));
  return putBack;
}

test('unsaved words are kept sealed while the notes are locked, and put back in order once unlocked', async () => {
  const drafts = createDrafts(sealing, 12);
  const unsaved = [
    { note: null, words: 'A new note, half written — with ünïcode' },
    { note: 5, words: 'Changes to note 5\nover two lines' },
  ];

  await drafts.keep(unsaved);

  assert.deepEqual(await restored(drafts), unsaved);
});

test('what is kept holds none of the words in the clear', async () => {
  const drafts = createDrafts(sealing, 12);

  await drafts.keep([{ note: null, words: 'Canary words about the chair' }]);

  const kept = drafts.kept();
  assert.equal(kept.length, 1);
  assert.equal(kept[0].note, null);
  const bytes = Buffer.from(sealing.fromBase64(kept[0].sealed)).toString('latin1');
  assert.ok(!bytes.includes('Canary'));
  assert.ok(!JSON.stringify(kept).includes('Canary'));
});

test('once put back, drafts are forgotten: unlocking again puts nothing back', async () => {
  const drafts = createDrafts(sealing, 12);
  await drafts.keep([{ note: null, words: 'Kept once' }]);
  await restored(drafts);

  const again = await restored(drafts);

  assert.deepEqual(again, []);
  assert.deepEqual(drafts.kept(), []);
});

test('nothing unsaved keeps nothing, and makes no key', async () => {
  const drafts = createDrafts(sealing, 12);
  const generateKey = crypto.subtle.generateKey;
  let made = 0;
  crypto.subtle.generateKey = (...args) => {
    made += 1;
    return generateKey.apply(crypto.subtle, args);
  };
  try {
    await drafts.keep([]);
  } finally {
    crypto.subtle.generateKey = generateKey;
  }

  assert.equal(made, 0);
  assert.deepEqual(await restored(drafts), []);
});

test('each time the notes lock, the drafts are sealed under a new key, and the latest are put back', async () => {
  const drafts = createDrafts(sealing, 12);
  await drafts.keep([{ note: null, words: 'First words' }]);
  const first = drafts.kept()[0].sealed;

  await drafts.keep([{ note: null, words: 'First words' }]);

  assert.notEqual(drafts.kept()[0].sealed, first);
  assert.deepEqual(await restored(drafts), [{ note: null, words: 'First words' }]);
});
