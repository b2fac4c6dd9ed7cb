// @ts-check
// The pages of Alongside's browser-sealed private notes: setting up, an engagement's notes, the passphrase, the
// download. The keys are handled by notes-crypto.js; this file is the page around them. It sends only what
// notes-crypto.js sealed (each note as one value, `sealed`: its nonce, then its ciphertext; wrapped keys; the notes
// key's id); the words of a note never leave the page in the clear.
//
// The unlocked notes key lives in this page's memory alone: leaving the page, 30 minutes without use, the "Lock"
// button and signing out (in any tab) all forget it, and every word shown goes from the page with it.
//
// What does not touch the page is in modules of its own, loaded before this file and tested in Node (tests/js):
// notes-lock.js (the unlocked key and what locks it), notes-transport.js (the requests to the server and their
// failures in words) and notes-drafts.js (unsaved words kept sealed while the notes are locked).

/** @typedef {import('./notes-crypto.js').Keyring} Keyring */
/** @typedef {import('./notes-lock.js').LockedBecause} LockedBecause */

/**
 * A note as the server lists it for the page (engagements/notes/sealed.py's notes_payload).
 * @typedef {object} ListedNote
 * @property {number} id
 * @property {string} uid
 * @property {number} version
 * @property {number} engagement
 * @property {import('./notes-crypto.js').SealedNote} sealed base64: the nonce, then the ciphertext
 * @property {string} written the day it was written, ISO
 * @property {string} session the day of its session, ISO, or empty
 * @property {string} about what it is about and when it was written, in words
 */

/** @typedef {ListedNote & { edit: string }} ChangeableNote a note on its engagement's page, with where to change it */

/**
 * What each page is given in its notes-data (engagements/views/notes.py).
 * @typedef {{ keyring: Keyring, engagement: number, limit: number, keys: Record<string, string>,
 *   notes: ChangeableNote[] }} WorkspaceData
 * @typedef {{ id: number, uid: string, version: number, text: string }} MovingNote
 * @typedef {{ owner: number, moving: Array<{ engagement: number, notes: MovingNote[] }> }} SetupData
 * @typedef {{ keyring: Keyring }} PassphraseData
 * @typedef {{ keyring: Keyring, keys: Record<string, string>, notes: ListedNote[], sites: Record<string, string> }}
 *   DownloadData
 */

/**
 * A problem to show: `field` is the element it is about, or null for a problem of the whole form; `confirm` the
 * address of the page where the person confirms it is them, when that is what is missing.
 * @typedef {{ text: string, field: HTMLElement | null, confirm?: string | null }} Problem
 */

(function () {
  'use strict';

  /**
   * The element of the page this script works with: there, and of the kind it needs.
   * @template {Element} T
   * @param {ParentNode} within
   * @param {string} selector
   * @param {{ new (): T, prototype: T }} kind
   * @returns {T}
   */
  function find(within, selector, kind) {
    const found = within.querySelector(selector);
    if (!(found instanceof kind)) {
      throw new TypeError(`The page has no ${selector} here.`);
    }
    return found;
  }

  const found = document.querySelector('[data-notes-app]');
  if (!(found instanceof HTMLElement)) {
    return;
  }
  const { AlongsideNotesCrypto, AlongsideNotesLock, AlongsideNotesTransport, AlongsideNotesDrafts } = window;
  const needsScript = document.querySelector('[data-notes-needs-script]');
  if (!AlongsideNotesCrypto || !AlongsideNotesLock || !AlongsideNotesTransport || !AlongsideNotesDrafts ||
    !AlongsideNotesCrypto.supported() || !window.fetch) {
    const why = needsScript && needsScript.querySelector('[data-notes-why]');
    if (why) {
      why.textContent = 'This browser cannot seal notes: it does not have the Web Cryptography that encrypts them. ' +
        'Open this page in an up-to-date Chrome, Edge, Firefox or Safari.';
    }
    return;
  }
  if (needsScript) {
    needsScript.remove();
  }
  const app = found;
  const sealing = AlongsideNotesCrypto;
  const drafting = AlongsideNotesDrafts;
  app.hidden = false;

  const PASSPHRASE_AT_LEAST = 12;
  /** @type {unknown} what the page was given: each page reads its own part (the typedefs above) */
  const data = JSON.parse(find(document, '#notes-data', HTMLScriptElement).textContent || '');
  const summary = find(document, '[data-notes-errors]', HTMLElement);
  const saved = find(document, '[data-notes-saved]', HTMLElement);
  const status = app.querySelector('[data-notes-status]');

  // Messages, in the NHS.UK error summary and beside each field --------------------------------------------------

  function clearErrors() {
    summary.hidden = true;
    find(summary, 'ul', HTMLUListElement).replaceChildren();
    document.querySelectorAll('[data-notes-error]').forEach((message) => {
      const group = message.closest('.nhsuk-form-group');
      if (group) {
        group.classList.remove('nhsuk-form-group--error');
        group.querySelectorAll('.nhsuk-input--error, .nhsuk-textarea--error').forEach((field) => {
          field.classList.remove('nhsuk-input--error', 'nhsuk-textarea--error');
          field.setAttribute('aria-describedby', (field.getAttribute('aria-describedby') || '')
            .split(' ').filter((id) => id && id !== message.id).join(' '));
          if (!field.getAttribute('aria-describedby')) {
            field.removeAttribute('aria-describedby');
          }
        });
      }
      message.remove();
    });
  }

  /** @param {Problem[]} problems */
  function showErrors(problems) {
    clearErrors();
    saved.hidden = true;
    const list = find(summary, 'ul', HTMLUListElement);
    problems.forEach(({ text, field, confirm }) => {
      const item = document.createElement('li');
      if (field) {
        const link = document.createElement('a');
        link.href = `#${field.id}`;
        link.textContent = text;
        link.addEventListener('click', (event) => {
          event.preventDefault();
          field.focus();
        });
        item.append(link);
        const group = field.closest('.nhsuk-form-group');
        if (!group) {
          throw new TypeError(`#${field.id} is in no form group.`);
        }
        const message = document.createElement('span');
        message.className = 'nhsuk-error-message';
        message.id = `${field.id}-error`;
        message.dataset.notesError = '';
        const hidden = document.createElement('span');
        hidden.className = 'nhsuk-u-visually-hidden';
        hidden.textContent = 'Error: ';
        message.append(hidden, text);
        group.classList.add('nhsuk-form-group--error');
        field.classList.add(field.tagName === 'TEXTAREA' ? 'nhsuk-textarea--error' : 'nhsuk-input--error');
        field.before(message);
        field.setAttribute('aria-describedby', `${field.getAttribute('aria-describedby') || ''} ${message.id}`.trim());
      } else {
        item.textContent = text;
      }
      if (confirm) {
        // In a new tab, so that this page keeps what it holds (a recovery key shown, passphrases typed).
        const link = document.createElement('a');
        link.href = confirm;
        link.target = '_blank';
        link.rel = 'noopener';
        link.textContent = 'Confirm it is you (opens in a new tab)';
        const then = document.createElement('p');
        then.append(link, ', then come back to this tab and try again.');
        item.append(then);
      }
      list.append(item);
    });
    summary.hidden = false;
    summary.focus();
  }

  /** @param {string} text */
  function showSaved(text) {
    clearErrors();
    find(saved, '[data-notes-saved-text]', HTMLElement).textContent = text;
    saved.hidden = false;
    saved.focus();
  }

  /** @param {string} text */
  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  /**
   * @template T
   * @param {HTMLButtonElement} button
   * @param {() => Promise<T>} work
   */
  async function busy(button, work) {
    const label = button.textContent;
    button.disabled = true;
    button.textContent = button.dataset.notesBusyText || label;
    try {
      return await work();
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  }

  // The unlocked key, and locking it (notes-lock.js) --------------------------------------------------------------

  const notesLock = AlongsideNotesLock.createNotesLock();
  // Typing, pointing, leaving the page, and signing out in any tab: base.html's log-out form marks it in
  // localStorage (js-enabled.js), which tells the rest.
  notesLock.watch(document, window);

  /** The notes key, or an error (shown as "something went wrong") where the notes locked meanwhile. */
  function notesKey() {
    const key = notesLock.key();
    if (!key) {
      throw new Error('The notes are locked.');
    }
    return key;
  }

  // Talking to the server: a form sent with fetch, answered in JSON (notes-transport.js) --------------------------

  const { Refused } = AlongsideNotesTransport;
  const transport = AlongsideNotesTransport.createTransport({
    token: find(app, 'input[name="csrfmiddlewaretoken"]', HTMLInputElement).value,
    page: window.location.pathname,
    readToken: (html) => {
      const fresh = new DOMParser().parseFromString(html, 'text/html')
        .querySelector('[data-notes-app] input[name="csrfmiddlewaretoken"]');
      return fresh instanceof HTMLInputElement ? fresh.value : null;
    },
    signedOut: () => notesLock.lock('signed-out'),
  });
  const { send } = transport;

  /**
   * @param {unknown} error
   * @param {HTMLElement | null} field
   * @returns {Problem[]}
   */
  function problemsOf(error, field) {
    if (error instanceof Refused) {
      return error.problems.map((text) => ({ text, field: null, confirm: error.confirm }));
    }
    if (error instanceof sealing.WrongSecret || error instanceof sealing.CannotOpen) {
      return [{ text: error.message, field }];
    }
    return [{ text: 'Something went wrong in this browser. Nothing has been saved: open the page again.', field: null }];
  }

  /** @type {Partial<Record<LockedBecause, string>>} */
  const LOCKED_BECAUSE = {
    idle: 'Your notes locked after 30 minutes without use. Unlock them to go on; anything you had not saved is kept for you.',
    'signed-out': 'You signed out, so your notes are locked. Anything you had not saved is kept on this page: ' +
      'sign in again in another tab, then unlock your notes here to go on.',
    button: 'Your notes are locked.',
  };

  /**
   * @param {Keyring} keyring
   * @param {() => Promise<void>} onUnlocked
   */
  function unlockForm(keyring, onUnlocked) {
    const form = find(app, '[data-notes-unlock]', HTMLFormElement);
    const field = find(form, '#unlock-passphrase', HTMLInputElement);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!field.value) {
        showErrors([{ text: 'Enter your notes passphrase', field }]);
        return;
      }
      await busy(find(form, 'button[type="submit"]', HTMLButtonElement), async () => {
        try {
          notesLock.unlocked(await sealing.unlockWithPassphrase(keyring, field.value));
          field.value = '';
          clearErrors();
          await onUnlocked();
        } catch (error) {
          notesLock.drop();
          showErrors(problemsOf(error, field));
        }
      });
    });
  }

  /**
   * @param {HTMLInputElement} field
   * @param {HTMLInputElement} again
   * @returns {Problem[]}
   */
  function checkNewPassphrase(field, again) {
    if (field.value.length < PASSPHRASE_AT_LEAST) {
      return [{ text: `Your notes passphrase must be at least ${PASSPHRASE_AT_LEAST} characters`, field }];
    }
    if (field.value !== again.value) {
      return [{ text: 'The two passphrases are not the same: type the same one twice', field: again }];
    }
    return [];
  }

  // An engagement's notes -----------------------------------------------------------------------------------------

  function workspace() {
    const page = /** @type {WorkspaceData} */ (data);
    const locked = find(app, '[data-notes-locked]', HTMLElement);
    const unlocked = find(app, '[data-notes-unlocked]', HTMLElement);
    const list = find(app, '[data-notes-list]', HTMLElement);
    const none = find(app, '[data-notes-none]', HTMLElement);
    const write = find(app, '[data-notes-write]', HTMLFormElement);
    const text = find(write, '#note-text', HTMLTextAreaElement);
    const sessionField = write.querySelector('#note-session');
    const session = sessionField instanceof HTMLSelectElement ? sessionField : null;
    const engagement = page.engagement;
    /** @type {CryptoKey | null} */
    let dataKey = null;
    // Words typed and not yet saved when the notes locked: kept sealed, and put back once unlocked again.
    const drafts = drafting.createDrafts(sealing, engagement);

    /** The engagement's data key, or an error (shown as "something went wrong") where the notes locked meanwhile. */
    function openedDataKey() {
      if (!dataKey) {
        throw new Error('The notes are locked.');
      }
      return dataKey;
    }

    /**
     * @param {ChangeableNote} note
     * @param {string} words
     */
    function card(note, words) {
      const outer = document.createElement('div');
      outer.className = 'nhsuk-card';
      outer.id = `note-${note.id}`;
      const inner = document.createElement('div');
      inner.className = 'nhsuk-card__content';
      const about = document.createElement('p');
      about.className = 'alongside-meta';
      about.textContent = note.about;
      const body = document.createElement('p');
      body.className = 'nhsuk-card__description alongside-note-text';
      body.textContent = words;
      const change = document.createElement('button');
      change.type = 'button';
      change.className = 'nhsuk-button nhsuk-button--secondary nhsuk-button--small';
      change.append('Change');
      const hidden = document.createElement('span');
      hidden.className = 'nhsuk-u-visually-hidden';
      hidden.textContent = ` the note: ${note.about}`;
      change.append(hidden);
      change.addEventListener('click', () => edit(note, outer, body, change));
      inner.append(about, body, change);
      outer.append(inner);
      return outer;
    }

    /**
     * @param {ChangeableNote} note
     * @param {HTMLElement} outer its card
     * @param {HTMLElement} body its words on the card
     * @param {HTMLElement} change its "Change" button
     * @param {string} [restored] words kept while the notes were locked, put back in place of the note's
     */
    function edit(note, outer, body, change, restored) {
      change.hidden = true;
      body.hidden = true;
      const form = document.createElement('form');
      form.noValidate = true;
      form.dataset.notesEdit = String(note.id);
      const group = document.createElement('div');
      group.className = 'nhsuk-form-group';
      const label = document.createElement('label');
      label.className = 'nhsuk-label';
      label.htmlFor = `edit-${note.id}`;
      label.textContent = 'Change this note';
      const area = document.createElement('textarea');
      area.className = 'nhsuk-textarea';
      area.id = `edit-${note.id}`;
      area.rows = 8;
      area.value = restored === undefined ? body.textContent : restored;
      group.append(label, area);
      const save = document.createElement('button');
      save.className = 'nhsuk-button';
      save.type = 'submit';
      save.textContent = 'Save the note';
      save.dataset.notesBusyText = 'Saving…';
      const cancel = document.createElement('button');
      cancel.className = 'nhsuk-button nhsuk-button--secondary';
      cancel.type = 'button';
      cancel.textContent = 'Cancel';
      const buttons = document.createElement('div');
      buttons.className = 'nhsuk-button-group';
      buttons.append(save, cancel);
      form.append(group, buttons);
      find(outer, '.nhsuk-card__content', HTMLElement).append(form);
      area.focus();

      function close() {
        form.remove();
        body.hidden = false;
        change.hidden = false;
        change.focus();
      }
      cancel.addEventListener('click', () => {
        clearErrors();
        close();
      });
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        const problem = checkNote(area);
        if (problem) {
          showErrors([problem]);
          return;
        }
        await busy(save, async () => {
          try {
            // Sealed for the note's next version: the server refuses it if another tab wrote the note since.
            const next = { uid: note.uid, version: note.version + 1 };
            const sealed = await sealing.sealNote(openedDataKey(), engagement, area.value.trim(), next);
            const answer = /** @type {{ note: ChangeableNote }} */ (await send(note.edit, {
              key_id: page.keyring.key_id, version: next.version, sealed,
            }));
            note.version = answer.note.version;
            note.sealed = answer.note.sealed;
            body.textContent = area.value.trim();
            close();
            showSaved('Your private note is saved.');
          } catch (error) {
            showErrors(problemsOf(error, area));
          }
        });
      });
    }

    /**
     * @param {HTMLTextAreaElement} area
     * @returns {Problem | null}
     */
    function checkNote(area) {
      const words = area.value.trim();
      if (!words) {
        return { text: 'Write the note before saving it', field: area };
      }
      if (words.length > page.limit) {
        return { text: `A note must be ${page.limit.toLocaleString('en-GB')} characters or fewer; this one is ` +
          `${words.length.toLocaleString('en-GB')}`, field: area };
      }
      return null;
    }

    async function opened() {
      const wrapped = page.keys[String(engagement)];
      dataKey = wrapped ? await sealing.openDataKey(notesKey(), engagement, wrapped) : null;
      const cards = [];
      /** @type {Array<{ note: ChangeableNote, words: string }>} */
      const older = [];
      for (const note of page.notes) {
        let words;
        try {
          words = await sealing.openNote(dataKey, engagement, note.sealed, note);
          if (note.version === 0) {
            older.push({ note, words });
          }
        } catch (error) {
          words = error instanceof sealing.CannotOpen ? error.message : 'This note cannot be opened with your notes key.';
        }
        cards.push(card(note, words));
      }
      list.replaceChildren(...cards);
      none.hidden = cards.length > 0;
      locked.hidden = true;
      unlocked.hidden = false;
      await drafts.restore((id, words) => {
        if (id === null) {
          text.value = words;
        } else {
          const outer = list.querySelector(`#note-${id}`);
          const note = page.notes.find((each) => each.id === id);
          if (outer instanceof HTMLElement && note) {
            edit(note, outer, find(outer, '.alongside-note-text', HTMLElement), find(outer, 'button', HTMLButtonElement),
              words);
          }
        }
      });
      rebind(older);
      const wanted = window.location.hash && document.getElementById(window.location.hash.slice(1));
      if (wanted) {
        wanted.scrollIntoView();
      }
      (wanted === write ? text : find(unlocked, '[data-notes-lock]', HTMLButtonElement)).focus();
    }

    // Notes sealed before notes were bound to themselves (version 0) are sealed again, with the same words, bound
    // to their own id and version 1: only this browser can, since only it holds the key. Quietly, in the
    // background; one that fails is simply tried again the next time the notes are opened.
    /** @param {Array<{ note: ChangeableNote, words: string }>} older */
    async function rebind(older) {
      for (const { note, words } of older) {
        if (!dataKey || note.version !== 0) {
          return;
        }
        try {
          const next = { uid: note.uid, version: 1 };
          const sealed = await sealing.sealNote(dataKey, engagement, words, next);
          const answer = /** @type {{ note: ChangeableNote }} */ (await send(note.edit, {
            key_id: page.keyring.key_id, version: 1, rebind: '1', sealed,
          }));
          note.version = answer.note.version;
          note.sealed = answer.note.sealed;
        } catch (error) {
          return;
        }
      }
    }

    notesLock.whenLocked((why) => {
      // Unsaved words leave the page too, sealed under a key made for this moment, and are put back only once the
      // notes are unlocked again.
      /** @type {import('./notes-drafts.js').Draft[]} */
      const unsaved = [];
      if (text.value.trim()) {
        unsaved.push({ note: null, words: text.value });
      }
      list.querySelectorAll('form[data-notes-edit]').forEach((form) => {
        if (form instanceof HTMLFormElement) {
          unsaved.push({ note: Number(form.dataset.notesEdit), words: find(form, 'textarea', HTMLTextAreaElement).value });
        }
      });
      dataKey = null;
      text.value = '';
      list.replaceChildren();
      unlocked.hidden = true;
      locked.hidden = false;
      drafts.keep(unsaved);
      const because = LOCKED_BECAUSE[why];
      if (because) {
        showErrors([{ text: because, field: null }]);
      }
    });

    find(app, '[data-notes-lock]', HTMLButtonElement).addEventListener('click', () => notesLock.lock('button'));

    write.addEventListener('submit', async (event) => {
      event.preventDefault();
      const problem = checkNote(text);
      if (problem) {
        showErrors([problem]);
        return;
      }
      await busy(find(write, 'button[type="submit"]', HTMLButtonElement), async () => {
        /** @type {{ dataKey: CryptoKey, wrappedKey: string } | null} */
        let made = null;
        try {
          let key = dataKey;
          if (!key) {
            made = await sealing.createDataKey(notesKey(), engagement);
            key = made.dataKey;
          }
          const fresh = { uid: sealing.newNoteId(), version: 1 };
          const sealed = await sealing.sealNote(key, engagement, text.value.trim(), fresh);
          const answer = /** @type {{ note: ChangeableNote }} */ (await send(write.action, {
            key_id: page.keyring.key_id,
            uid: fresh.uid,
            version: fresh.version,
            sealed,
            wrapped_key: made ? made.wrappedKey : null,
            session: session && session.value ? session.value : null,
          }));
          if (made) {
            dataKey = made.dataKey;
            page.keys[String(engagement)] = made.wrappedKey;
          }
          page.notes.unshift(answer.note);
          list.prepend(card(answer.note, text.value.trim()));
          none.hidden = true;
          text.value = '';
          if (session) {
            session.value = '';
          }
          showSaved('Your private note is saved.');
        } catch (error) {
          showErrors(problemsOf(error, text));
        }
      });
    });

    unlockForm(page.keyring, opened);
  }

  // Setting up ----------------------------------------------------------------------------------------------------

  function setup() {
    const page = /** @type {SetupData} */ (data);
    const choose = find(app, '[data-notes-choose]', HTMLFormElement);
    const keep = find(app, '[data-notes-keep]', HTMLFormElement);
    const passphrase = find(choose, '#new-passphrase', HTMLInputElement);
    const again = find(choose, '#confirm-passphrase', HTMLInputElement);
    const kept = find(keep, '#kept-recovery-key', HTMLInputElement);
    /** @type {Awaited<ReturnType<typeof sealing.createKeyring>> | null} */
    let made = null;

    choose.addEventListener('submit', async (event) => {
      event.preventDefault();
      const problems = checkNewPassphrase(passphrase, again);
      if (problems.length) {
        showErrors(problems);
        return;
      }
      await busy(find(choose, 'button[type="submit"]', HTMLButtonElement), async () => {
        try {
          made = await sealing.createKeyring(page.owner, passphrase.value);
        } catch (error) {
          showErrors(problemsOf(error, passphrase));
          return;
        }
        passphrase.value = '';
        again.value = '';
        clearErrors();
        find(keep, '[data-notes-recovery-key]', HTMLElement).textContent = made.recoveryKey;
        choose.hidden = true;
        keep.hidden = false;
        find(keep, '[data-notes-keep-heading]', HTMLElement).focus();
      });
    });

    find(keep, '[data-notes-print]', HTMLButtonElement).addEventListener('click', () => window.print());

    keep.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!kept.checked) {
        showErrors([{ text: 'Tick to say you have kept your recovery key', field: kept }]);
        return;
      }
      await busy(find(keep, 'button[type="submit"]', HTMLButtonElement), async () => {
        try {
          say('Sealing your notes…');
          const moved = [];
          for (const engagement of page.moving) {
            if (!made) {
              throw new Error('No keys were made: choose a passphrase first.');
            }
            const { dataKey, wrappedKey } = await sealing.createDataKey(made.notesKey, engagement.engagement);
            const notes = [];
            for (const note of engagement.notes) {
              const next = { uid: note.uid, version: note.version + 1 };
              const sealed = await sealing.sealNote(dataKey, engagement.engagement, note.text, next);
              notes.push({ id: note.id, version: next.version, sealed });
            }
            moved.push({ engagement: engagement.engagement, wrapped_key: wrappedKey, notes });
          }
          const answer = /** @type {{ redirect: string }} */ (await send(choose.action, {
            // No keys after the page was left and shown again from the browser's history: the server refuses.
            ...(made && made.stored),
            moved: new Blob([JSON.stringify(moved)], { type: 'application/json' }),
          }));
          page.moving = [];
          made = null;
          say('Your notes are sealed.');
          window.location.assign(answer.redirect);
        } catch (error) {
          say('');
          showErrors(problemsOf(error, null));
        }
      });
    });
    // The words of the notes being moved leave the page with it.
    window.addEventListener('pagehide', () => {
      page.moving = [];
      made = null;
    });
  }

  // Changing the passphrase ---------------------------------------------------------------------------------------

  function passphrase() {
    const page = /** @type {PassphraseData} */ (data);
    const form = find(app, '[data-notes-change]', HTMLFormElement);
    const current = find(form, '#current-passphrase', HTMLInputElement);
    const recovery = find(form, '#recovery-key', HTMLInputElement);
    const fresh = find(form, '#new-passphrase', HTMLInputElement);
    const again = find(form, '#confirm-passphrase', HTMLInputElement);
    const withRecovery = () => find(form, '#with-recovery', HTMLInputElement).checked;

    form.querySelectorAll('input[name="with"]').forEach((radio) => radio.addEventListener('change', () => {
      form.querySelectorAll('[data-notes-with]').forEach((group) => {
        if (group instanceof HTMLElement) {
          group.hidden = group.dataset.notesWith !== (withRecovery() ? 'recovery' : 'passphrase');
        }
      });
    }));

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const unlockWith = withRecovery() ? recovery : current;
      /** @type {Problem[]} */
      const problems = unlockWith.value ? [] : [{
        text: withRecovery() ? 'Enter your recovery key' : 'Enter your current notes passphrase', field: unlockWith,
      }];
      problems.push(...checkNewPassphrase(fresh, again));
      if (problems.length) {
        showErrors(problems);
        return;
      }
      await busy(find(form, 'button[type="submit"]', HTMLButtonElement), async () => {
        /** @type {CryptoKey | null} */
        let key = null;
        try {
          key = withRecovery()
            ? await sealing.unlockWithRecoveryKey(page.keyring, recovery.value, { extractable: true })
            : await sealing.unlockWithPassphrase(page.keyring, current.value, { extractable: true });
          const wrapping = await sealing.wrapForPassphrase(key, page.keyring.owner, fresh.value);
          key = null;
          const answer = /** @type {{ redirect: string }} */ (
            await send(form.action, { key_id: page.keyring.key_id, ...wrapping }));
          [current, recovery, fresh, again].forEach((field) => {
            field.value = '';
          });
          window.location.assign(answer.redirect);
        } catch (error) {
          key = null;
          showErrors(problemsOf(error, unlockWith));
        }
      });
    });
  }

  // The download, made here ---------------------------------------------------------------------------------------

  function download() {
    const page = /** @type {DownloadData} */ (data);
    unlockForm(page.keyring, async () => {
      say('Opening your notes…');
      /** @type {Record<string, CryptoKey>} */
      const dataKeys = {};
      const rows = [['site', 'session date', 'written', 'note']];
      for (const note of page.notes) {
        const engagement = String(note.engagement);
        let words = '(this note cannot be opened: its key is missing or was destroyed)';
        try {
          if (!(engagement in dataKeys)) {
            dataKeys[engagement] = await sealing.openDataKey(notesKey(), note.engagement, page.keys[engagement]);
          }
          words = await sealing.openNote(dataKeys[engagement], note.engagement, note.sealed, note);
        } catch (error) {
          // kept as the server's download keeps a note it cannot open: a row that says so
        }
        rows.push([page.sites[engagement], note.session, note.written, words]);
      }
      const file = new Blob([sealing.csv(rows)], { type: 'text/csv;charset=utf-8' });
      const link = document.createElement('a');
      link.href = URL.createObjectURL(file);
      link.download = 'my-private-notes.csv';
      document.body.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(link.href), 10 * 1000);
      notesLock.lock('downloaded');
      say('');
      showSaved(`Your ${page.notes.length === 1 ? 'note is' : `${page.notes.length} notes are`} downloaded, as ` +
        'my-private-notes.csv. Your notes are locked again.');
    });
  }

  /** @type {Record<string, () => void>} */
  const pages = { workspace, setup, passphrase, download };
  pages[String(app.dataset.notesApp)]();
})();
