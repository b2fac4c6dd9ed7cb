// @ts-check
// The unlocked notes key of a page of private notes, and what locks it: 30 minutes without use, leaving the page,
// signing out in any tab, the "Lock" button. Locking forgets the key and tells the page, which takes every word it
// shows away with it (notes.js).
//
// No document here: the page hands in the targets whose events count (`watch`), so that Node's test runner drives
// the same file with its own EventTarget and fake timers (tests/js/notes-lock.test.js).

/**
 * Why the notes locked: the page says so in words for some of these (notes.js).
 * @typedef {'idle' | 'signed-out' | 'button' | 'left' | 'downloaded'} LockedBecause
 */

(function (root) {
  'use strict';

  const IDLE_MINUTES = 30;
  const CHECK_EVERY_SECONDS = 15;
  // What counts as using the page: typing, pointing and changing a field, anywhere on it.
  const USES = ['keydown', 'pointerdown', 'input'];
  // What js-enabled.js writes to localStorage when the person signs out, in any tab.
  const SIGNED_OUT = 'alongside-signed-out';

  /**
   * @param {{ idleMinutes?: number }} [options]
   */
  function createNotesLock(options) {
    const idleMilliseconds = ((options && options.idleMinutes) || IDLE_MINUTES) * 60 * 1000;
    /** @type {CryptoKey | null} */
    let notesKey = null;
    let lastUsed = Date.now();
    /** @type {Array<(why: LockedBecause) => void>} */
    const onLock = [];

    /** The notes key while the notes are unlocked, else null. */
    function key() {
      return notesKey;
    }

    /**
     * The notes are unlocked with this key, just now.
     * @param {CryptoKey} unlockedKey
     */
    function unlocked(unlockedKey) {
      notesKey = unlockedKey;
      lastUsed = Date.now();
    }

    /** The person used the page: the 30 minutes start again. */
    function used() {
      lastUsed = Date.now();
    }

    /**
     * Forgets the key and tells everything that asked (`whenLocked`); nothing happens while it is already locked.
     * @param {LockedBecause} why
     */
    function lock(why) {
      if (!notesKey) {
        return;
      }
      notesKey = null;
      onLock.forEach((forget) => forget(why));
    }

    /** Forgets the key without telling: an unlock that failed half way, when nothing was shown yet. */
    function drop() {
      notesKey = null;
    }

    /** @param {(why: LockedBecause) => void} forget */
    function whenLocked(forget) {
      onLock.push(forget);
    }

    /** Locks the notes if they have not been used for 30 minutes. */
    function check() {
      if (notesKey && Date.now() - lastUsed >= idleMilliseconds) {
        lock('idle');
      }
    }

    /**
     * Listens to the page (the document, where the person types and points) and to its window (leaving the page,
     * and the storage event that says another tab signed out), and checks every 15 seconds for 30 idle minutes.
     * @param {Pick<Document, 'addEventListener'>} page
     * @param {Pick<Window, 'addEventListener'>} window
     */
    function watch(page, window) {
      USES.forEach((kind) => page.addEventListener(kind, used, { passive: true }));
      setInterval(check, CHECK_EVERY_SECONDS * 1000);
      window.addEventListener('pagehide', () => lock('left'));
      window.addEventListener('storage', (event) => {
        if (event.key === SIGNED_OUT) {
          lock('signed-out');
        }
      });
    }

    return { key, unlocked, used, lock, drop, whenLocked, check, watch };
  }

  const api = { IDLE_MINUTES, createNotesLock };
  root.AlongsideNotesLock = api;
  if (typeof module === 'object' && module.exports) {
    module.exports = api;
  }
})(/** @type {typeof globalThis} */ (typeof globalThis !== 'undefined' ? globalThis : this));
