// The imperative shell: connects to Zendesk through the ZAF SDK, reads what the app starts with,
// performs the core's requests through `client.request`, and feeds the core (`Core`, app.rs)
// their answers, clicks, ticket events and the clock. Written in JavaScript because promises,
// timers and listeners cost the wasm many times the bytes they cost here; every decision (what
// to ask, what an answer means, what to show) is the core's, in Rust.
//
// Invariants: a button is disabled on the click itself, so the second click of a double click
// finds it disabled; no request is waited for longer than the core's time-out; a panic kills
// the wasm instance (its hook has drawn the error panel), after which the shell calls nothing.

// The first `client.get`, made at once with `metadata()`; `Core.boot` reads these paths. The
// organization's ASE field under its default key is read with them: with the default setting
// the sidebar then starts without a second read.
const BOOT_PATHS = [
  'ticket', 'currentUser', 'currentUser.locale', 'currentAccount.subdomain',
  'ticket.organization.customField:ase_email',
];
// A save by anyone and the app shown again: the shared state (claims, notes) may have changed.
const SHARED_EVENTS = ['ticket.updated', 'app.activated'];
// The agent editing the ticket: detection again.
const EDIT_EVENTS = [
  'ticket.priority.changed',
  'ticket.tags.changed',
  'ticket.assignee.changed',
  'ticket.form.id.changed',
  'ticket.subject.changed',
  'ticket.organization.changed',
];
// The buttons whose click goes to the core (the copy button is the shell's own).
const ACTIONS = [
  'ping-button', 'retry-button', 'ase-retry-button', 'prep-preview-button', 'prep-save-button', 'follow-up-button',
];
// How often the view is redrawn, so the ASE's local time stays current.
const TICK_MS = 30000;

import { formDraft, keepDraft } from './render.js';

let client;

/** `client.invoke('resize')` to the sidebar's content height; a failure only matters to the console. */
export function resize(height) {
  try {
    client && client.invoke('resize', { height: `${height}px` }).catch((e) => console.warn('resize failed', e));
  } catch (e) {
    console.warn('resize failed', e);
  }
}

/**
 * `zaf.request(options)`, settled as `[0, answer]` (resolved), `[1, answer]` (rejected or
 * thrown) or `[2]` when nothing settled within `ms` (the request may still take effect; its late
 * answer is dropped). Never rejects.
 */
export function send(zaf, options, ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve([2]), ms);
    const settle = (kind) => (value) => {
      clearTimeout(timer);
      resolve([kind, value]);
    };
    try {
      zaf.request(options).then(settle(0), settle(1));
    } catch (e) {
      settle(1)(e);
    }
  });
}

// Slack's answers about the ASE (who, presence, Do Not Disturb) are kept for a minute in the
// tab's sessionStorage, so reopening a ticket does not ask Slack again (its rate limits are per
// workspace). Only successful answers; a storage the browser denies just means no cache.
const CACHED = /^https:\/\/slack\.com\/api\/(users\.(lookupByEmail|getPresence)|dnd\.info)\?/;

/** `send`, answered from the cache when it holds a fresh copy of this Slack lookup. */
export function cached(zaf, options, ms) {
  const key = options.type == 'GET' && CACHED.test(options.url) && `ase-slack:${options.url}`;
  try {
    const hit = key && JSON.parse(sessionStorage[key]);
    const age = Date.now() - hit.t;
    if (age >= 0 && age < 60_000) return Promise.resolve([0, { status: 200, responseText: hit.x }]);
  } catch {}
  return send(zaf, options, ms).then((out) => {
    try {
      if (key && out[0] == 0 && out[1].status == 200 && JSON.parse(out[1].responseText).ok) {
        sessionStorage[key] = JSON.stringify({ t: Date.now(), x: out[1].responseText });
      }
    } catch {}
    return out;
  });
}

/** A thrown or rejected value in words, for the error panel's details. */
const describe = (e) => {
  try {
    return typeof e == 'string' ? e : e && e.message ? `${e.name}: ${e.message}` : JSON.stringify(e) || String(e);
  } catch {
    return 'unknown error';
  }
};

// The readable fields of a JSON error body, in order: Zendesk's `description`, `message`,
// `error` (a code, or an object holding `title` and `message`) and `title`; Slack's `error`.
const ERROR_FIELDS = ['description', 'message', 'error', 'title'];

/** The first text of field `k` in `v`, at any depth; '' when none holds any. */
const said = (v, k) =>
  v && typeof v == 'object'
    ? typeof v[k] == 'string' && v[k].trim()
      ? v[k]
      : Object.values(v).reduce((t, x) => t || said(x, k), '')
    : '';

/**
 * What the core reads of a settled `client.request` (ZAF's complete response, or a rejected
 * xhr-like object): `[status, text, json, retryAfter]`, the body parsed when ZAF did not; status
 * 0 when there was no HTTP answer, the text then saying why. A non-2xx JSON error's text is its
 * readable part (`ERROR_FIELDS`).
 */
export function answerOf(a) {
  const status = a && a.status;
  if (!(status >= 1 && status <= 999 && status % 1 == 0)) {
    const why = a && a.statusText;
    return [0, status === 0 ? 'no response (status 0)' : why && why != 'error' ? why : describe(a)];
  }
  let text = typeof a.responseText == 'string' ? a.responseText : '';
  const headers = a.headers || {};
  let json = a.responseJSON;
  let retry;
  try {
    json = json == null ? JSON.parse(text) : json;
  } catch {
    // Not JSON: the core says so when it expected JSON.
  }
  // A failed answer's JSON error: its readable part, for the core to show (see `said`).
  // (A body nested too deep for `said` stays as it came.)
  if (status < 200 || status > 299) {
    try {
      text = ERROR_FIELDS.reduce((t, k) => t || said(json, k), '') || text;
    } catch {}
  }
  for (const name in headers) if (name.toLowerCase() == 'retry-after') retry = headers[name];
  // A real jqXHR has no `headers` map, only `getResponseHeader`.
  try {
    if (!Object.keys(headers).length) retry = a.getResponseHeader('Retry-After');
  } catch {
    // No header, then.
  }
  return [status, text, json, retry == null ? undefined : `${retry}`];
}

/**
 * Starts the app: `core` is a fresh `Core`; `loadStrings(file)` resolves with the strings array
 * of `i18n/<file>.json`, or null when it fails or is slow (the app then stays in English).
 */
export async function start(core, loadStrings) {
  let dead = false;
  // Calls the core unless a panic has killed it; a throw means it just did.
  const call = (f) => {
    if (!dead) {
      try {
        return f();
      } catch (e) {
        dead = true;
        console.error('ase-emergency-assist stopped', e);
      }
    }
  };
  let registered;
  const ready = new Promise((resolve) => (registered = resolve));
  try {
    // The init callback fires on `app.registered`.
    client = ZAFClient.init(registered);
  } catch (e) {
    return call(() => core.fail(0, '', describe(e)));
  }
  if (!client || typeof client !== 'object') return call(() => core.fail(1, '', ''));

  // A ZAF call whose rejection (or throw) carries the call's name, for the error panel.
  const zaf = (name, f) => {
    try {
      return Promise.resolve(f()).catch((e) => Promise.reject([name, e]));
    } catch (e) {
      return Promise.reject([name, e]);
    }
  };
  let paths = [];
  try {
    await ready;
    const reading = zaf('get', () => client.get(BOOT_PATHS));
    reading.catch(() => {});
    const metadata = await zaf('metadata', () => client.metadata());
    const data = await reading;
    if (!call(() => core.boot(metadata, data))) return;
    paths = (call(() => core.paths()) || '').split('\n');
    const file = call(() => core.strings_file());
    // What the first read lacks (another ASE field key, the field rule's custom field).
    const more = paths.filter((path) => !BOOT_PATHS.includes(path));
    const [fields, strings] = await Promise.all([
      more.length ? zaf('get', () => client.get(more)).then((got) => ({ ...data, ...got })) : data,
      file &&
        Promise.resolve(file)
          .then(loadStrings)
          .catch((e) => console.warn('strings unavailable, using English', e)),
    ]);
    if (!call(() => core.start(fields, strings, Date.now()))) return;
  } catch (e) {
    return call(() => (Array.isArray(e) ? core.fail(2, e[0], describe(e[1])) : core.fail(2, 'start', describe(e))));
  }

  // Renders, resizes, re-arms the wake-up the core asked for, and sends its requests.
  let height = 0;
  let wake;
  let checked = false;
  const pump = () => {
    const out = call(() => JSON.parse(core.pump(Date.now())));
    if (!out) return;
    if (out.h && out.h !== height) resize((height = out.h));
    clearTimeout(wake);
    if (out.w >= 0) {
      wake = setTimeout(() => {
        call(() => core.tick(Date.now()));
        pump();
      }, out.w);
    }
    if (out.a != null) followUp(out.a);
    for (const r of out.r) {
      cached(client, r.o, r.t).then(([kind, answer]) => {
        const [status, text, json, retry] = answerOf(answer);
        call(() => core.reply(r.i, kind, status, text, json, retry, Date.now()));
        pump();
      });
    }
    // The first time the prep-note form shows: a draft kept with a nonce may have been saved
    // before the page went away (checked after this pump's requests are on their way).
    const draft = !checked && formDraft(document);
    if (draft) {
      checked = true;
      if (draft[draft.length - 1]) click('prep-check');
    }
  };
  // The ASE's follow-up draft, which the core hands over once per click: into the reply editor
  // unless its opening is there already (a reload, or an earlier append that rejected but
  // landed); then the core hears whether it went in. Never sent: the agent sends it.
  const followUp = (draft) => {
    // Letters and digits only: the editor may hold the text as HTML.
    const flat = (s) => String(s).replace(/<[^>]*>|[^\p{L}\p{N}]/gu, '');
    const there = () =>
      client.get('comment.text').then((d) => flat(d['comment.text']).includes(flat(draft).slice(0, 60)), () => false);
    there()
      .then((yes) => yes || client.invoke('comment.appendText', draft).then(() => true, () => false))
      .then((ok) => click(ok ? 'follow-up-done' : 'follow-up-refused'));
  };
  const click = (id) => {
    call(() => core.click(id, formDraft(document), Date.now()));
    pump();
  };
  pump();

  // A ticket event: re-reads the ticket (once for a burst of events) for the core to detect
  // again and, after a shared event, to re-read the shared state.
  let reading = false;
  let again = false;
  let shared = false;
  const onEvent = (isShared) => async () => {
    shared = shared || isShared;
    if (reading) return void (again = true);
    reading = true;
    do {
      again = false;
      try {
        const data = await client.get(['ticket', ...paths]);
        const refresh = shared;
        shared = false;
        if (!call(() => core.ticket(data, refresh, Date.now()))) shared = shared || refresh;
      } catch (e) {
        console.error('cannot re-read the ticket', e);
      }
      pump();
    } while (again);
    reading = false;
  };
  const onShared = onEvent(true);
  const onEdited = onEvent(false);
  SHARED_EVENTS.forEach((name) => client.on(name, onShared));
  EDIT_EVENTS.forEach((name) => client.on(name, onEdited));
  // `ticket.customField:custom_field_<id>` changes as `ticket.custom_field_<id>.changed`.
  for (const path of paths) {
    if (path.startsWith('ticket.customField:')) client.on(`${path.replace('customField:', '')}.changed`, onEdited);
  }

  document.getElementById('app')?.addEventListener('click', (event) => {
    const button = event.target instanceof Element && event.target.closest('button');
    if (!button) return;
    if (button.id === 'copy-button') return copyPingText();
    if (!ACTIONS.includes(button.id) || button.disabled) return;
    // Disabled first, synchronously: a second click of a double click finds nothing to do.
    button.disabled = true;
    click(button.id);
  });
  // Every keystroke in the prep-note form is kept at once.
  document.getElementById('app')?.addEventListener('input', () => keepDraft(document));
  setInterval(pump, TICK_MS);
}

// Degraded mode: selects the ping's text and copies it (`execCommand('copy')` on the click needs
// no clipboard permission in Zendesk's iframe); the selection stays for Ctrl+C should the
// browser refuse.
function copyPingText() {
  const area = document.getElementById('ping-text');
  if (!area) return;
  area.focus();
  area.select();
  try {
    document.execCommand('copy');
  } catch (e) {
    console.warn('copy failed', e);
  }
}
