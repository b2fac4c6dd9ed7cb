// Unit tests of what locks an enabler's private notes (static/alongside/notes-lock.js): 30 minutes without use,
// leaving the page, signing out in another tab. Node's own EventTarget stands for the page and its window, and
// node:test's fake timers for the clock. `make test` runs them (`node --test tests/js`).
'use strict';

const { test, mock, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { IDLE_MINUTES, createNotesLock } = require('../../static/alongside/notes-lock.js');

const MINUTE = 60 * 1000;
// A key stands in for the notes key: the lock only holds it and forgets it.
const KEY = { type: 'secret', algorithm: { name: 'AES-GCM' } };

beforeEach(() => {
  mock.timers.enable({ apis: ['setInterval', 'Date'], now: new Date('2026-11-26T09:00:00Z') });
});

afterEach(() => {
  mock.timers.reset();
});

function watched() {
  const page = new EventTarget();
  const window = new EventTarget();
  const lock = createNotesLock();
  const locked = [];
  lock.whenLocked((why) => locked.push(why));
  lock.watch(page, window);
  return { page, window, lock, locked };
}

test('unlocked notes lock after 30 minutes without use, and say it was for being idle', () => {
  const { lock, locked } = watched();
  lock.unlocked(KEY);

  mock.timers.tick(29 * MINUTE + 45 * 1000);
  assert.equal(lock.key(), KEY);
  assert.deepEqual(locked, []);

  mock.timers.tick(15 * 1000);
  assert.equal(IDLE_MINUTES, 30);
  assert.equal(lock.key(), null);
  assert.deepEqual(locked, ['idle']);
});

test('typing, pointing and changing a field each start the 30 minutes again', () => {
  const { page, lock, locked } = watched();
  lock.unlocked(KEY);

  for (const kind of ['keydown', 'pointerdown', 'input']) {
    mock.timers.tick(20 * MINUTE);
    page.dispatchEvent(new Event(kind));
  }
  mock.timers.tick(29 * MINUTE);

  assert.equal(lock.key(), KEY);
  assert.deepEqual(locked, []);
  mock.timers.tick(MINUTE);
  assert.deepEqual(locked, ['idle']);
});

test('an event the page does not count as use (a scroll) does not keep the notes open', () => {
  const { page, lock, locked } = watched();
  lock.unlocked(KEY);

  mock.timers.tick(20 * MINUTE);
  page.dispatchEvent(new Event('scroll'));
  mock.timers.tick(10 * MINUTE);

  assert.deepEqual(locked, ['idle']);
});

test('the 30 minutes count from unlocking, not from loading the page', () => {
  const { lock, locked } = watched();
  mock.timers.tick(45 * MINUTE);

  lock.unlocked(KEY);
  mock.timers.tick(15 * 1000);

  assert.equal(lock.key(), KEY);
  assert.deepEqual(locked, []);
});

test('locked notes stay locked, and are not told twice', () => {
  const { lock, locked } = watched();
  lock.unlocked(KEY);

  lock.lock('button');
  mock.timers.tick(2 * IDLE_MINUTES * MINUTE);
  lock.lock('button');

  assert.equal(lock.key(), null);
  assert.deepEqual(locked, ['button']);
});

test('leaving the page locks the notes', () => {
  const { window, lock, locked } = watched();
  lock.unlocked(KEY);

  window.dispatchEvent(new Event('pagehide'));

  assert.equal(lock.key(), null);
  assert.deepEqual(locked, ['left']);
});

test('signing out in another tab locks the notes; other storage changes do not', () => {
  const { window, lock, locked } = watched();
  lock.unlocked(KEY);

  window.dispatchEvent(Object.assign(new Event('storage'), { key: 'something-else' }));
  assert.equal(lock.key(), KEY);
  window.dispatchEvent(Object.assign(new Event('storage'), { key: 'alongside-signed-out' }));

  assert.equal(lock.key(), null);
  assert.deepEqual(locked, ['signed-out']);
});

test('an unlock that failed half way forgets the key without telling the page', () => {
  const { lock, locked } = watched();
  lock.unlocked(KEY);

  lock.drop();
  mock.timers.tick(IDLE_MINUTES * MINUTE);

  assert.equal(lock.key(), null);
  assert.deepEqual(locked, []);
});
