// @ts-check
// The key handling of Alongside's browser-sealed private notes, with the browser's own WebCrypto and nothing else.
//
// An enabler's notes key is a random AES-GCM key made here. It is stored on the server only wrapped: once by a key
// derived from their notes passphrase (PBKDF2-SHA256, 600,000 iterations or more, a random salt), once by a random
// recovery key shown to them once. Each engagement's data key is random too, and wrapped by the notes key. A note
// is encrypted with its engagement's data key. Every wrap and every note is AES-GCM with a random 96-bit nonce,
// stored nonce first, and associated data that binds it to its owner or engagement, and a note to its own id and
// version as well, as engagements/notes/crypto.py does on the server: a note's sealed words moved to another note,
// or put back from an earlier version, do not open.
//
// Keys unwrapped to be used are non-extractable: the page can use them, but nothing (this script included) can
// read them out. Only changing the passphrase unwraps the notes key extractable, for the moment of wrapping it again.
//
// No DOM here, so that the same file runs in Node's test runner (tests/js/notes-crypto.test.js) and in the page,
// where notes.js drives it.

/**
 * A keyring as the server stores it and hands it to the page: the notes key wrapped twice, and how.
 * @typedef {object} Keyring
 * @property {number} owner the person whose notes key it is (bound into both wrappings)
 * @property {string} key_id
 * @property {number} iterations PBKDF2's count for the passphrase
 * @property {string} salt base64
 * @property {string} wrapped_by_passphrase base64, nonce first
 * @property {string} wrapped_by_recovery_key base64, nonce first
 */

/**
 * What a note's sealed words are bound to: its own id and the version they are sealed for (0: an older note, bound
 * to its engagement alone).
 * @typedef {{ uid: string, version: number }} NoteBinding
 */

/**
 * A note sealed here, as it travels to the server and as the server stores and lists it: base64 of the nonce, then
 * the ciphertext (AES-GCM's output, its tag last), one value like a wrapped key.
 * @typedef {string} SealedNote
 */

/** @typedef {{ iterations?: number }} Stretching */
/** @typedef {{ extractable?: boolean }} Unwrapping */

(function (root) {
  'use strict';

  const ITERATIONS = 600000;
  const NONCE_BYTES = 12;
  const SALT_BYTES = 16;
  const RECOVERY_BYTES = 32;
  const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const encoder = new TextEncoder();
  const decoder = new TextDecoder('utf-8', { fatal: true });

  class WrongSecret extends Error {
    /** @param {string} message */
    constructor(message) {
      super(message);
      this.name = 'WrongSecret';
    }
  }

  class CannotOpen extends Error {
    /** @param {string} message */
    constructor(message) {
      super(message);
      this.name = 'CannotOpen';
    }
  }

  /** @returns {boolean} */
  function supported() {
    // An old browser may lack any of these, whatever the DOM's types say.
    return Boolean(root.crypto && root.crypto.subtle && typeof root.crypto.getRandomValues === 'function' &&
      root.TextEncoder);
  }

  /** @returns {SubtleCrypto} */
  function subtle() {
    return root.crypto.subtle;
  }

  /** @param {number} length */
  function random(length) {
    return root.crypto.getRandomValues(new Uint8Array(length));
  }

  /**
   * @param {Uint8Array<ArrayBuffer>} bytes
   * @returns {string}
   */
  function toBase64(bytes) {
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    return root.btoa(text);
  }

  /**
   * @param {string} text
   * @returns {Uint8Array<ArrayBuffer>}
   */
  function fromBase64(text) {
    const binary = root.atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes;
  }

  /** @param {Uint8Array<ArrayBuffer>} bytes */
  function toHex(bytes) {
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  }

  // Every wrapped key and every note is one value: the nonce, then AES-GCM's output (the ciphertext, its tag last),
  // as engagements/notes/crypto.py seals them. These two are the only places that join and split that value.
  /**
   * @param {Uint8Array<ArrayBuffer>} nonce
   * @param {ArrayBuffer} ciphertext
   * @returns {Uint8Array<ArrayBuffer>}
   */
  function joinSealed(nonce, ciphertext) {
    const joined = new Uint8Array(nonce.length + ciphertext.byteLength);
    joined.set(nonce, 0);
    joined.set(new Uint8Array(ciphertext), nonce.length);
    return joined;
  }

  /**
   * @param {Uint8Array<ArrayBuffer>} sealed
   * @returns {{ nonce: Uint8Array<ArrayBuffer>, ciphertext: Uint8Array<ArrayBuffer> }}
   */
  function splitSealed(sealed) {
    return { nonce: sealed.subarray(0, NONCE_BYTES), ciphertext: sealed.subarray(NONCE_BYTES) };
  }

  // What each wrap and each note is bound to: the same words as engagements/notes/crypto.py. A note is bound to
  // its own id (`uid`) and version; version 0 is a note sealed before that, bound to its engagement alone, which
  // still opens and is bound anew when it is next written.
  const bound = {
    /** @param {number} owner */
    notesKey: (owner) => encoder.encode(`alongside:notes-key:${owner}`),
    /** @param {number} engagement */
    dataKey: (engagement) => encoder.encode(`alongside:engagement-key:${engagement}`),
    /**
     * @param {number} engagement
     * @param {NoteBinding} note
     */
    note: (engagement, note) => {
      if (!note || typeof note.uid !== 'string' || !Number.isInteger(note.version) || note.version < 0) {
        throw new TypeError('A note is sealed and opened with its id and version.');
      }
      return encoder.encode(note.version === 0
        ? `alongside:private-note:${engagement}`
        : `alongside:private-note:${engagement}:${note.uid}:${note.version}`);
    },
  };

  // A new note's id, made here before the server has seen it: a random UUID (version 4), lower case, as Python's
  // str(uuid.UUID) spells it, since both sides bind the same words.
  function newNoteId() {
    const bytes = random(16);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = toHex(bytes);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  // The recovery key, written for people: 52 letters and digits of base32 in groups of four. Spaces, hyphens
  // and lower case are forgiven when it is typed back.
  /** @param {Uint8Array<ArrayBuffer>} bytes */
  function recoveryText(bytes) {
    let bits = 0;
    let value = 0;
    let text = '';
    for (const byte of bytes) {
      value = (value << 8) | byte;
      bits += 8;
      while (bits >= 5) {
        text += BASE32[(value >>> (bits - 5)) & 31];
        bits -= 5;
      }
    }
    if (bits > 0) {
      text += BASE32[(value << (5 - bits)) & 31];
    }
    return (text.match(/.{1,4}/g) || []).join('-');
  }

  /** @param {string} text */
  function recoveryBytes(text) {
    const letters = String(text).toUpperCase().replace(/[\s-]/g, '');
    if (letters.length !== 52 || /[^A-Z2-7]/.test(letters)) {
      throw new WrongSecret('A recovery key is 52 letters and digits, in 13 groups of four. Check it and try again.');
    }
    const bytes = new Uint8Array(RECOVERY_BYTES);
    let bits = 0;
    let value = 0;
    let index = 0;
    for (const letter of letters) {
      value = ((value << 5) | BASE32.indexOf(letter)) & 0xffff;
      bits += 5;
      if (bits >= 8 && index < RECOVERY_BYTES) {
        bytes[index] = (value >>> (bits - 8)) & 0xff;
        index += 1;
        bits -= 8;
      }
    }
    return bytes;
  }

  /**
   * @param {string} passphrase
   * @param {Uint8Array<ArrayBuffer>} salt
   * @param {number} iterations
   */
  async function passphraseKey(passphrase, salt, iterations) {
    const material = await subtle().importKey('raw', encoder.encode(passphrase.normalize('NFC')), 'PBKDF2', false, [
      'deriveKey',
    ]);
    return subtle().deriveKey(
      { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
      material,
      { name: 'AES-GCM', length: 256 },
      false,
      ['wrapKey', 'unwrapKey'],
    );
  }

  /** @param {Uint8Array<ArrayBuffer>} bytes */
  function recoveryKey(bytes) {
    return subtle().importKey('raw', bytes, { name: 'AES-GCM' }, false, ['wrapKey', 'unwrapKey']);
  }

  /**
   * @param {CryptoKey} key
   * @param {CryptoKey} wrappingKey
   * @param {Uint8Array<ArrayBuffer>} boundTo
   */
  async function wrap(key, wrappingKey, boundTo) {
    const nonce = random(NONCE_BYTES);
    const wrapped = await subtle().wrapKey('raw', key, wrappingKey, { name: 'AES-GCM', iv: nonce, additionalData: boundTo });
    return joinSealed(nonce, wrapped);
  }

  /**
   * @param {Uint8Array<ArrayBuffer>} wrapped
   * @param {CryptoKey} wrappingKey
   * @param {Uint8Array<ArrayBuffer>} boundTo
   * @param {boolean} extractable
   * @param {KeyUsage[]} usages
   */
  function unwrap(wrapped, wrappingKey, boundTo, extractable, usages) {
    const { nonce, ciphertext } = splitSealed(wrapped);
    return subtle().unwrapKey(
      'raw',
      ciphertext,
      wrappingKey,
      { name: 'AES-GCM', iv: nonce, additionalData: boundTo },
      { name: 'AES-GCM', length: 256 },
      extractable,
      usages,
    );
  }

  // Setting up: a new notes key, its two wrappings, and the recovery key to show once.
  /**
   * @param {number} owner
   * @param {string} passphrase
   * @param {Stretching} [options]
   */
  async function createKeyring(owner, passphrase, options) {
    const iterations = (options && options.iterations) || ITERATIONS;
    const notesKey = await subtle().generateKey({ name: 'AES-GCM', length: 256 }, true, ['wrapKey', 'unwrapKey']);
    const salt = random(SALT_BYTES);
    const recovery = random(RECOVERY_BYTES);
    const byPassphrase = await wrap(notesKey, await passphraseKey(passphrase, salt, iterations), bound.notesKey(owner));
    const byRecovery = await wrap(notesKey, await recoveryKey(recovery), bound.notesKey(owner));
    return {
      notesKey,
      recoveryKey: recoveryText(recovery),
      stored: {
        key_id: toHex(random(16)),
        iterations,
        salt: toBase64(salt),
        wrapped_by_passphrase: toBase64(byPassphrase),
        wrapped_by_recovery_key: toBase64(byRecovery),
      },
    };
  }

  // Unlocking: the notes key, non-extractable unless the passphrase is about to change.
  /**
   * @param {Keyring} keyring
   * @param {string} passphrase
   * @param {Unwrapping} [options]
   */
  async function unlockWithPassphrase(keyring, passphrase, options) {
    const wrappingKey = await passphraseKey(passphrase, fromBase64(keyring.salt), keyring.iterations);
    try {
      return await unwrap(fromBase64(keyring.wrapped_by_passphrase), wrappingKey, bound.notesKey(keyring.owner),
        Boolean(options && options.extractable), ['wrapKey', 'unwrapKey']);
    } catch (error) {
      throw new WrongSecret('That passphrase does not unlock your notes. Check it and try again.');
    }
  }

  /**
   * @param {Keyring} keyring
   * @param {string} text the recovery key as the person typed it
   * @param {Unwrapping} [options]
   */
  async function unlockWithRecoveryKey(keyring, text, options) {
    const wrappingKey = await recoveryKey(recoveryBytes(text));
    try {
      return await unwrap(fromBase64(keyring.wrapped_by_recovery_key), wrappingKey, bound.notesKey(keyring.owner),
        Boolean(options && options.extractable), ['wrapKey', 'unwrapKey']);
    } catch (error) {
      throw new WrongSecret('That recovery key does not unlock your notes. Check it and try again.');
    }
  }

  // A new passphrase for the same notes key (unwrapped extractable for this moment only).
  /**
   * @param {CryptoKey} notesKey
   * @param {number} owner
   * @param {string} passphrase
   * @param {Stretching} [options]
   */
  async function wrapForPassphrase(notesKey, owner, passphrase, options) {
    const iterations = (options && options.iterations) || ITERATIONS;
    const salt = random(SALT_BYTES);
    const wrapped = await wrap(notesKey, await passphraseKey(passphrase, salt, iterations), bound.notesKey(owner));
    return { iterations, salt: toBase64(salt), wrapped_by_passphrase: toBase64(wrapped) };
  }

  // An engagement's data key: made here, stored wrapped, used non-extractable.
  /**
   * @param {CryptoKey} notesKey
   * @param {number} engagement
   */
  async function createDataKey(notesKey, engagement) {
    const made = await subtle().generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
    const wrapped = await wrap(made, notesKey, bound.dataKey(engagement));
    return { dataKey: await openDataKey(notesKey, engagement, toBase64(wrapped)), wrappedKey: toBase64(wrapped) };
  }

  /**
   * @param {CryptoKey} notesKey
   * @param {number} engagement
   * @param {string} wrappedKey base64, nonce first
   * @returns {Promise<CryptoKey>}
   */
  async function openDataKey(notesKey, engagement, wrappedKey) {
    try {
      return await unwrap(fromBase64(wrappedKey), notesKey, bound.dataKey(engagement), false, ['encrypt', 'decrypt']);
    } catch (error) {
      throw new CannotOpen('The key of these notes cannot be opened with your notes key.');
    }
  }

  // note: { uid, version }, the version the words are sealed for (one more than the note's, or 1 for a new note).
  /**
   * @param {CryptoKey} dataKey
   * @param {number} engagement
   * @param {string} text
   * @param {NoteBinding} note
   * @returns {Promise<SealedNote>}
   */
  async function sealNote(dataKey, engagement, text, note) {
    if (note.version < 1) {
      throw new TypeError('A note is sealed bound to itself, at version 1 or more.');
    }
    const nonce = random(NONCE_BYTES);
    const ciphertext = await subtle().encrypt(
      { name: 'AES-GCM', iv: nonce, additionalData: bound.note(engagement, note) }, dataKey, encoder.encode(text));
    return toBase64(joinSealed(nonce, ciphertext));
  }

  // note: { uid, version }, as the server lists it.
  /**
   * @param {CryptoKey | null} dataKey null where the engagement has no key (then no note of it opens)
   * @param {number} engagement
   * @param {SealedNote} sealed as the server lists it (ListedNote.sealed)
   * @param {NoteBinding} note
   * @returns {Promise<string>}
   */
  async function openNote(dataKey, engagement, sealed, note) {
    const { nonce, ciphertext } = splitSealed(fromBase64(sealed));
    const boundTo = bound.note(engagement, note);
    try {
      if (!dataKey) {
        throw new TypeError('There is no key to open this note with.');
      }
      const plain = await subtle().decrypt({ name: 'AES-GCM', iv: nonce, additionalData: boundTo }, dataKey, ciphertext);
      return decoder.decode(plain);
    } catch (error) {
      throw new CannotOpen('This note cannot be opened: what is stored for it was not sealed for this note as it ' +
        'stands. It may have been moved from another note, or put back from an earlier version.');
    }
  }

  // The author's download, made here: the same columns as the server's, every cell a spreadsheet would run as a
  // formula neutralised with an apostrophe (core/exports.py's rule).
  const FORMULA_STARTS = ['=', '+', '-', '@', '\t', '\r', '\uff1d', '\uff0b', '\uff0d', '\uff20'];

  /** @param {unknown} value */
  function neutralise(value) {
    const text = value === null || value === undefined ? '' : String(value);
    const start = text.replace(/^ +/, '').charAt(0);
    return FORMULA_STARTS.includes(start) && start !== '' ? `'${text}` : text;
  }

  /** @param {unknown} value */
  function csvCell(value) {
    const text = neutralise(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  }

  /** @param {unknown[][]} rows */
  function csv(rows) {
    return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
  }

  const api = {
    ITERATIONS,
    WrongSecret,
    CannotOpen,
    supported,
    toBase64,
    fromBase64,
    recoveryText,
    recoveryBytes,
    createKeyring,
    unlockWithPassphrase,
    unlockWithRecoveryKey,
    wrapForPassphrase,
    createDataKey,
    openDataKey,
    newNoteId,
    sealNote,
    openNote,
    neutralise,
    csv,
  };
  root.AlongsideNotesCrypto = api;
  if (typeof module === 'object' && module.exports) {
    module.exports = api;
  }
})(/** @type {typeof globalThis} */ (typeof globalThis !== 'undefined' ? globalThis : this));
