// @ts-check
// Words typed on an engagement's notes page and not yet saved when the notes lock: they leave the page too, sealed
// under a key made for this moment alone (non-extractable, in this page's memory only), and are put back once the
// notes are unlocked again. Nothing of them is stored anywhere, in the browser or on the server.
//
// No document here: the page says what was unsaved and puts each draft back itself (notes.js), so that Node's test
// runner drives the same file (tests/js/notes-drafts.test.js).

/**
 * Unsaved words: a new note's (`note` null) or those of the note with that id, being changed.
 * @typedef {{ note: number | null, words: string }} Draft
 */

(function (root) {
  'use strict';

  // What a kept draft is bound to: it is sealed under a key of its own, for the moment.
  const DRAFT = { uid: 'draft', version: 1 };

  /**
   * @param {typeof import('./notes-crypto.js')} sealing
   * @param {number} engagement the engagement whose notes page keeps them
   */
  function createDrafts(sealing, engagement) {
    /** @type {Array<{ note: number | null, sealed: string }>} */
    let drafts = [];
    /** @type {CryptoKey | null} */
    let draftKey = null;

    /**
     * Seals the unsaved words under a new key; resolves once they are kept (the page does not wait).
     * @param {Draft[]} unsaved
     * @returns {Promise<void>}
     */
    function keep(unsaved) {
      if (!unsaved.length) {
        return Promise.resolve();
      }
      return root.crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
        .then((key) => {
          draftKey = key;
          return Promise.all(unsaved.map(async (draft) => ({
            note: draft.note,
            sealed: await sealing.sealNote(key, engagement, draft.words, DRAFT),
          })));
        }).then((sealedDrafts) => {
          drafts = sealedDrafts;
        });
    }

    /**
     * Opens each kept draft, in the order it was kept, and hands its words to `putBack`; then forgets them all and
     * their key.
     * @param {(note: number | null, words: string) => void} putBack
     */
    async function restore(putBack) {
      for (const draft of drafts) {
        const words = await sealing.openNote(draftKey, engagement, draft.sealed, DRAFT);
        putBack(draft.note, words);
      }
      drafts = [];
      draftKey = null;
    }

    /** What is kept, sealed: never the words themselves. */
    function kept() {
      return drafts.map((draft) => ({ ...draft }));
    }

    return { keep, restore, kept };
  }

  const api = { createDrafts };
  root.AlongsideNotesDrafts = api;
  if (typeof module === 'object' && module.exports) {
    module.exports = api;
  }
})(/** @type {typeof globalThis} */ (typeof globalThis !== 'undefined' ? globalThis : this));
