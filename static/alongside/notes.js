// The pages of Alongside's browser-sealed private notes: setting up, an engagement's notes, the passphrase, the
// download. The keys are handled by notes-crypto.js; this file is the page around them. It sends only what
// notes-crypto.js sealed (nonces, ciphertexts, wrapped keys, the notes key's id); the words of a note never leave
// the page in the clear.
//
// The unlocked notes key lives in this page's memory alone: leaving the page, 30 minutes without use, the "Lock"
// button and signing out (in any tab) all forget it, and every word shown goes from the page with it.
(function () {
  'use strict';

  const app = document.querySelector('[data-notes-app]');
  if (!app) {
    return;
  }
  const sealing = window.AlongsideNotesCrypto;
  const needsScript = document.querySelector('[data-notes-needs-script]');
  if (!sealing || !sealing.supported() || !window.fetch) {
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
  app.hidden = false;

  const IDLE_MINUTES = 30;
  const PASSPHRASE_AT_LEAST = 12;
  const data = JSON.parse(document.getElementById('notes-data').textContent);
  let csrf = app.querySelector('input[name="csrfmiddlewaretoken"]').value;
  const summary = document.querySelector('[data-notes-errors]');
  const saved = document.querySelector('[data-notes-saved]');
  const status = app.querySelector('[data-notes-status]');

  // Messages, in the NHS.UK error summary and beside each field --------------------------------------------------

  function clearErrors() {
    summary.hidden = true;
    summary.querySelector('ul').replaceChildren();
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

  // problems: [{text, field, confirm}] where field is an element or null (a problem of the whole form), and confirm
  // the address of the page where the person confirms it is them, when that is what is missing.
  function showErrors(problems) {
    clearErrors();
    saved.hidden = true;
    const list = summary.querySelector('ul');
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

  function showSaved(text) {
    clearErrors();
    saved.querySelector('[data-notes-saved-text]').textContent = text;
    saved.hidden = false;
    saved.focus();
  }

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

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

  // Talking to the server: a form sent with fetch, answered in JSON --------------------------------------------

  class Refused extends Error {
    constructor(problems, confirm) {
      super(problems.join(' '));
      this.problems = problems;
      this.confirm = confirm || null; // where to confirm it is you, when the server asks for that first
    }
  }

  async function post(url, fields) {
    const body = new FormData();
    Object.entries(fields).forEach(([name, value]) => {
      if (value instanceof Blob) {
        body.append(name, value, `${name}.json`);
      } else if (value !== null && value !== undefined) {
        body.append(name, value);
      }
    });
    return fetch(url, {
      method: 'POST',
      body,
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'X-CSRFToken': csrf },
    });
  }

  // After signing in again (in another tab), the form token this page was given no longer matches: this page is
  // fetched again for a fresh one. Sent to the sign-in page instead, the person is signed out.
  async function freshToken() {
    const page = await fetch(window.location.pathname, { credentials: 'same-origin' });
    if (!page.ok || page.redirected) {
      return false;
    }
    const fresh = new DOMParser().parseFromString(await page.text(), 'text/html')
      .querySelector('[data-notes-app] input[name="csrfmiddlewaretoken"]');
    if (!fresh) {
      return false;
    }
    csrf = fresh.value;
    return true;
  }

  function isJson(response) {
    return (response.headers.get('Content-Type') || '').includes('application/json');
  }

  async function send(url, fields) {
    let response;
    try {
      response = await post(url, fields);
      if (response.status === 403 && !isJson(response) && await freshToken()) {
        response = await post(url, fields);
      }
    } catch (error) {
      throw new Refused(['Alongside could not be reached. Nothing has been saved: check your connection and try again.']);
    }
    const json = isJson(response);
    if (response.status >= 500) {
      throw new Refused(['Alongside could not save this just now. Nothing has been saved: try again in a moment.']);
    }
    if (!json || response.redirected) {
      // Sent to the sign-in page, or refused as a request from a page opened before signing in again.
      lock('signed-out');
      throw new Refused(['You are signed out, so nothing has been saved and your notes are locked. What you were ' +
        'writing is kept on this page: sign in again in another tab, then come back and unlock your notes to save it.']);
    }
    const answer = await response.json();
    if (!response.ok) {
      // Setting up or changing the passphrase asks for a recent password (accounts' re-authentication).
      const confirm = answer.code === 'reauthentication_required' ? answer.confirm : null;
      throw new Refused(answer.errors || ['Nothing has been saved: try again.'], confirm);
    }
    return answer;
  }

  function problemsOf(error, field) {
    if (error instanceof Refused) {
      return error.problems.map((text) => ({ text, field: null, confirm: error.confirm }));
    }
    if (error instanceof sealing.WrongSecret || error instanceof sealing.CannotOpen) {
      return [{ text: error.message, field }];
    }
    return [{ text: 'Something went wrong in this browser. Nothing has been saved: open the page again.', field: null }];
  }

  // The unlocked key, and locking it ------------------------------------------------------------------------------

  let notesKey = null;
  let lastUsed = Date.now();
  const onLock = [];

  function lock(why) {
    if (!notesKey) {
      return;
    }
    notesKey = null;
    onLock.forEach((forget) => forget(why));
  }

  ['keydown', 'pointerdown', 'input'].forEach((kind) => document.addEventListener(kind, () => {
    lastUsed = Date.now();
  }, { passive: true }));
  window.setInterval(() => {
    if (notesKey && Date.now() - lastUsed >= IDLE_MINUTES * 60 * 1000) {
      lock('idle');
    }
  }, 15 * 1000);
  window.addEventListener('pagehide', () => lock('left'));
  // Signing out in any tab: base.html's log-out form marks it in localStorage (js-enabled.js), which tells the rest.
  window.addEventListener('storage', (event) => {
    if (event.key === 'alongside-signed-out') {
      lock('signed-out');
    }
  });

  const LOCKED_BECAUSE = {
    idle: 'Your notes locked after 30 minutes without use. Unlock them to go on; anything you had not saved is kept for you.',
    'signed-out': 'You signed out, so your notes are locked. Anything you had not saved is kept on this page: ' +
      'sign in again in another tab, then unlock your notes here to go on.',
    button: 'Your notes are locked.',
  };

  function unlockForm(onUnlocked) {
    const form = app.querySelector('[data-notes-unlock]');
    const field = form.querySelector('#unlock-passphrase');
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!field.value) {
        showErrors([{ text: 'Enter your notes passphrase', field }]);
        return;
      }
      await busy(form.querySelector('button[type="submit"]'), async () => {
        try {
          notesKey = await sealing.unlockWithPassphrase(data.keyring, field.value);
          field.value = '';
          lastUsed = Date.now();
          clearErrors();
          await onUnlocked();
        } catch (error) {
          notesKey = null;
          showErrors(problemsOf(error, field));
        }
      });
    });
  }

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
    const locked = app.querySelector('[data-notes-locked]');
    const unlocked = app.querySelector('[data-notes-unlocked]');
    const list = app.querySelector('[data-notes-list]');
    const none = app.querySelector('[data-notes-none]');
    const write = app.querySelector('[data-notes-write]');
    const text = write.querySelector('#note-text');
    const session = write.querySelector('#note-session');
    const engagement = data.engagement;
    // What a draft kept while the notes are locked is bound to: it is sealed under a key of its own, for the moment.
    const DRAFT = { uid: 'draft', version: 1 };
    let dataKey = null;
    // Words typed and not yet saved when the notes locked: kept sealed, and put back once unlocked again.
    let drafts = [];
    let draftKey = null;

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
      outer.querySelector('.nhsuk-card__content').append(form);
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
            const sealed = await sealing.sealNote(dataKey, engagement, area.value.trim(), next);
            const answer = await send(note.edit, {
              key_id: data.keyring.key_id, version: next.version, nonce: sealed.nonce, ciphertext: sealed.ciphertext,
            });
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

    function checkNote(area) {
      const words = area.value.trim();
      if (!words) {
        return { text: 'Write the note before saving it', field: area };
      }
      if (words.length > data.limit) {
        return { text: `A note must be ${data.limit.toLocaleString('en-GB')} characters or fewer; this one is ` +
          `${words.length.toLocaleString('en-GB')}`, field: area };
      }
      return null;
    }

    async function opened() {
      const wrapped = data.keys[String(engagement)];
      dataKey = wrapped ? await sealing.openDataKey(notesKey, engagement, wrapped) : null;
      const cards = [];
      const older = [];
      for (const note of data.notes) {
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
      for (const draft of drafts) {
        const words = await sealing.openNote(draftKey, engagement, draft.sealed, DRAFT);
        if (draft.note === null) {
          text.value = words;
        } else {
          const outer = list.querySelector(`#note-${draft.note}`);
          const note = data.notes.find((each) => each.id === draft.note);
          if (outer && note) {
            edit(note, outer, outer.querySelector('.alongside-note-text'), outer.querySelector('button'), words);
          }
        }
      }
      drafts = [];
      draftKey = null;
      rebind(older);
      const wanted = window.location.hash && document.getElementById(window.location.hash.slice(1));
      if (wanted) {
        wanted.scrollIntoView();
      }
      (wanted === write ? text : unlocked.querySelector('[data-notes-lock]')).focus();
    }

    // Notes sealed before notes were bound to themselves (version 0) are sealed again, with the same words, bound
    // to their own id and version 1: only this browser can, since only it holds the key. Quietly, in the
    // background; one that fails is simply tried again the next time the notes are opened.
    async function rebind(older) {
      for (const { note, words } of older) {
        if (!dataKey || note.version !== 0) {
          return;
        }
        try {
          const next = { uid: note.uid, version: 1 };
          const sealed = await sealing.sealNote(dataKey, engagement, words, next);
          const answer = await send(note.edit, {
            key_id: data.keyring.key_id, version: 1, rebind: '1', nonce: sealed.nonce, ciphertext: sealed.ciphertext,
          });
          note.version = answer.note.version;
          note.sealed = answer.note.sealed;
        } catch (error) {
          return;
        }
      }
    }

    onLock.push((why) => {
      // Unsaved words leave the page too, sealed under a key made for this moment, and are put back only once the
      // notes are unlocked again.
      const unsaved = [];
      if (text.value.trim()) {
        unsaved.push({ note: null, words: text.value });
      }
      list.querySelectorAll('form[data-notes-edit]').forEach((form) => {
        unsaved.push({ note: Number(form.dataset.notesEdit), words: form.querySelector('textarea').value });
      });
      dataKey = null;
      text.value = '';
      list.replaceChildren();
      unlocked.hidden = true;
      locked.hidden = false;
      if (unsaved.length) {
        crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']).then((key) => {
          draftKey = key;
          return Promise.all(unsaved.map(async (draft) => ({ note: draft.note, sealed: await seal(key, draft.words) })));
        }).then((sealedDrafts) => {
          drafts = sealedDrafts;
        });
      }
      if (LOCKED_BECAUSE[why]) {
        showErrors([{ text: LOCKED_BECAUSE[why], field: null }]);
      }
    });

    async function seal(key, words) {
      const sealed = await sealing.sealNote(key, engagement, words, DRAFT);
      const bytes = new Uint8Array([...sealing.fromBase64(sealed.nonce), ...sealing.fromBase64(sealed.ciphertext)]);
      return sealing.toBase64(bytes);
    }

    app.querySelector('[data-notes-lock]').addEventListener('click', () => lock('button'));

    write.addEventListener('submit', async (event) => {
      event.preventDefault();
      const problem = checkNote(text);
      if (problem) {
        showErrors([problem]);
        return;
      }
      await busy(write.querySelector('button[type="submit"]'), async () => {
        let made = null;
        try {
          if (!dataKey) {
            made = await sealing.createDataKey(notesKey, engagement);
          }
          const fresh = { uid: sealing.newNoteId(), version: 1 };
          const sealed = await sealing.sealNote(made ? made.dataKey : dataKey, engagement, text.value.trim(), fresh);
          const answer = await send(write.action, {
            key_id: data.keyring.key_id,
            uid: fresh.uid,
            version: fresh.version,
            nonce: sealed.nonce,
            ciphertext: sealed.ciphertext,
            wrapped_key: made ? made.wrappedKey : null,
            session: session && session.value ? session.value : null,
          });
          if (made) {
            dataKey = made.dataKey;
            data.keys[String(engagement)] = made.wrappedKey;
          }
          data.notes.unshift(answer.note);
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

    unlockForm(opened);
  }

  // Setting up ----------------------------------------------------------------------------------------------------

  function setup() {
    const choose = app.querySelector('[data-notes-choose]');
    const keep = app.querySelector('[data-notes-keep]');
    const passphrase = choose.querySelector('#new-passphrase');
    const again = choose.querySelector('#confirm-passphrase');
    const kept = keep.querySelector('#kept-recovery-key');
    let made = null;

    choose.addEventListener('submit', async (event) => {
      event.preventDefault();
      const problems = checkNewPassphrase(passphrase, again);
      if (problems.length) {
        showErrors(problems);
        return;
      }
      await busy(choose.querySelector('button[type="submit"]'), async () => {
        try {
          made = await sealing.createKeyring(data.owner, passphrase.value);
        } catch (error) {
          showErrors(problemsOf(error, passphrase));
          return;
        }
        passphrase.value = '';
        again.value = '';
        clearErrors();
        keep.querySelector('[data-notes-recovery-key]').textContent = made.recoveryKey;
        choose.hidden = true;
        keep.hidden = false;
        keep.querySelector('[data-notes-keep-heading]').focus();
      });
    });

    keep.querySelector('[data-notes-print]').addEventListener('click', () => window.print());

    keep.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!kept.checked) {
        showErrors([{ text: 'Tick to say you have kept your recovery key', field: kept }]);
        return;
      }
      await busy(keep.querySelector('button[type="submit"]'), async () => {
        try {
          say('Sealing your notes…');
          const moved = [];
          for (const engagement of data.moving) {
            const { dataKey, wrappedKey } = await sealing.createDataKey(made.notesKey, engagement.engagement);
            const notes = [];
            for (const note of engagement.notes) {
              const next = { uid: note.uid, version: note.version + 1 };
              const sealed = await sealing.sealNote(dataKey, engagement.engagement, note.text, next);
              notes.push({ id: note.id, version: next.version, nonce: sealed.nonce, ciphertext: sealed.ciphertext });
            }
            moved.push({ engagement: engagement.engagement, wrapped_key: wrappedKey, notes });
          }
          const answer = await send(choose.action, {
            ...made.stored,
            moved: new Blob([JSON.stringify(moved)], { type: 'application/json' }),
          });
          data.moving = [];
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
      data.moving = [];
      made = null;
    });
  }

  // Changing the passphrase ---------------------------------------------------------------------------------------

  function passphrase() {
    const form = app.querySelector('[data-notes-change]');
    const current = form.querySelector('#current-passphrase');
    const recovery = form.querySelector('#recovery-key');
    const fresh = form.querySelector('#new-passphrase');
    const again = form.querySelector('#confirm-passphrase');
    const withRecovery = () => form.querySelector('#with-recovery').checked;

    form.querySelectorAll('input[name="with"]').forEach((radio) => radio.addEventListener('change', () => {
      form.querySelectorAll('[data-notes-with]').forEach((group) => {
        group.hidden = group.dataset.notesWith !== (withRecovery() ? 'recovery' : 'passphrase');
      });
    }));

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const unlockWith = withRecovery() ? recovery : current;
      const problems = unlockWith.value ? [] : [{
        text: withRecovery() ? 'Enter your recovery key' : 'Enter your current notes passphrase', field: unlockWith,
      }];
      problems.push(...checkNewPassphrase(fresh, again));
      if (problems.length) {
        showErrors(problems);
        return;
      }
      await busy(form.querySelector('button[type="submit"]'), async () => {
        let key = null;
        try {
          key = withRecovery()
            ? await sealing.unlockWithRecoveryKey(data.keyring, recovery.value, { extractable: true })
            : await sealing.unlockWithPassphrase(data.keyring, current.value, { extractable: true });
          const wrapping = await sealing.wrapForPassphrase(key, data.keyring.owner, fresh.value);
          key = null;
          const answer = await send(form.action, { key_id: data.keyring.key_id, ...wrapping });
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
    unlockForm(async () => {
      say('Opening your notes…');
      const dataKeys = {};
      const rows = [['site', 'session date', 'written', 'note']];
      for (const note of data.notes) {
        const engagement = String(note.engagement);
        let words = '(this note cannot be opened: its key is missing or was destroyed)';
        try {
          if (!(engagement in dataKeys)) {
            dataKeys[engagement] = await sealing.openDataKey(notesKey, note.engagement, data.keys[engagement]);
          }
          words = await sealing.openNote(dataKeys[engagement], note.engagement, note.sealed, note);
        } catch (error) {
          // kept as the server's download keeps a note it cannot open: a row that says so
        }
        rows.push([data.sites[engagement], note.session, note.written, words]);
      }
      const file = new Blob([sealing.csv(rows)], { type: 'text/csv;charset=utf-8' });
      const link = document.createElement('a');
      link.href = URL.createObjectURL(file);
      link.download = 'my-private-notes.csv';
      document.body.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(link.href), 10 * 1000);
      lock('downloaded');
      say('');
      showSaved(`Your ${data.notes.length === 1 ? 'note is' : `${data.notes.length} notes are`} downloaded, as ` +
        'my-private-notes.csv. Your notes are locked again.');
    });
  }

  ({ workspace, setup, passphrase, download })[app.dataset.notesApp]();
})();
