// What Alongside's own scripts in this folder put on the page's global object for each other (each also exports
// it to Node's `require`, for tests/js). Read by `tsc` only (tsconfig.json); no page loads this file.
declare var AlongsideNotesCrypto: typeof import('./notes-crypto.js') | undefined;
declare var AlongsideNotesLock: typeof import('./notes-lock.js') | undefined;
declare var AlongsideNotesTransport: typeof import('./notes-transport.js') | undefined;
declare var AlongsideNotesDrafts: typeof import('./notes-drafts.js') | undefined;
