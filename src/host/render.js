// The DOM half of the renderer (render.rs): draws the core's view-model, handed over as JSON,
// inside `#app` with the element ids of CONTRACTS.md §6. Written in JavaScript because DOM
// building is a call per node, which costs the wasm many times the bytes it costs here; what to
// show is decided in Rust, in the view-model, never here.
//
// Invariants: untrusted text stays text: nodes are made with `createElement` and filled with
// `textContent` only (no HTML parsing anywhere), and links accept only http(s) URLs. Nothing
// here throws on the app's own elements (a throw would unwind through the wasm).

const LIVE = 'ping-region';

// The ping part last drawn in each root's live region: redrawn only when it changed, so screen
// readers announce changes, not redraws.
const lastPing = new WeakMap();

/** `tag#id.cls` with `text`, all optional but the tag. */
function el(d, tag, id, cls, text) {
  const e = d.createElement(tag);
  if (id) e.id = id;
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

// A disabled button is one whose action is under way: busy.
function button(d, id, cls, label, disabled) {
  const b = el(d, 'button', id, cls, label);
  b.setAttribute('type', 'button');
  b.disabled = disabled;
  if (disabled) b.setAttribute('aria-busy', 'true');
  return b;
}

function link(d, id, text, href, rel) {
  const a = el(d, 'a', id, 'link', text);
  if (href) a.setAttribute('href', href);
  a.setAttribute('target', '_blank');
  a.setAttribute('rel', rel);
  return a;
}

/** A link target the app will put in `href`: an absolute http(s) URL, never `javascript:`. */
const isWebUrl = (url) => /^https?:\/\//.test(url.trimStart().toLowerCase());

/**
 * A message: its sentence in `parent`, and its technical detail, when there is one, in a closed
 * "Details" disclosure `id` after it (reopened after a redraw if the agent had opened it). The
 * detail is code, left to right in any language.
 */
function message(d, parent, m, label, id) {
  parent.appendChild(el(d, 'span', '', 'message-text', m.text));
  if (m.detail != null) {
    const details = el(d, 'details', id, 'details');
    details.appendChild(el(d, 'summary', `${id}-summary`, '', label));
    const code = el(d, 'code', '', 'detail', m.detail);
    code.setAttribute('dir', 'ltr');
    details.appendChild(code);
    parent.appendChild(details);
  }
}

function ase(d, view, label) {
  const section = el(d, 'section', 'ase', 'ase');
  const state = { Loading: 'loading', None: 'none', Failed: 'failed', Found: 'found' }[view.kind];
  section.setAttribute('data-ase', state);
  if (view.kind !== 'Found') {
    const p = el(d, 'p', '', 'ase-text');
    message(d, p, { text: view.text, detail: view.kind === 'Failed' ? view.detail : null }, label, 'ase-details');
    section.appendChild(p);
    return section;
  }
  // Names and handles are written in any script: each takes its own direction.
  for (const [id, cls, text] of [['ase-name', 'ase-name', view.name], ['ase-handle', 'secondary', view.handle]]) {
    const p = el(d, 'p', id, cls, text);
    p.setAttribute('dir', 'auto');
    section.appendChild(p);
  }
  if (view.local_time != null) section.appendChild(el(d, 'p', 'ase-local-time', 'ase-time', view.local_time));
  const badges = [['ase-hours', view.hours], ['ase-presence', view.presence], ['ase-dnd', view.dnd]].filter(([, b]) => b);
  if (badges.length) {
    const row = el(d, 'p', '', 'badges');
    for (const [id, badge] of badges) {
      const span = el(d, 'span', id, 'badge', badge.text);
      span.setAttribute('data-tone', badge.tone);
      row.appendChild(span);
    }
    section.appendChild(row);
  }
  if (view.presence_problem) {
    const p = el(d, 'p', 'ase-presence-problem', 'secondary');
    message(d, p, view.presence_problem, label, 'ase-presence-details');
    section.appendChild(p);
  }
  return section;
}

// The words of `text` that are http(s) URLs become links; the rest stays text, white space and
// line breaks included. Trailing punctuation is the sentence's, and so is a `)` the URL did not
// open: `(see https://x.example/a)` ends at `a`, `…/Foo_(bar)` keeps its own.
function linkedText(d, p, text) {
  let plain = '';
  // Pieces that each end with one white-space character (no lookbehind: Safari before 16.4
  // cannot parse it, and the whole glue would fail to load).
  for (const piece of text.match(/\S*\s|\S+/g) || []) {
    const open = piece.startsWith('(') ? '(' : '';
    const word = piece.slice(open.length);
    let url = word.trimEnd();
    for (;;) {
      url = url.replace(/[.,;:!?']+$/, '');
      const count = (c) => url.split(c).length - 1;
      if (url.endsWith(')') && count('(') < count(')')) url = url.slice(0, -1);
      else break;
    }
    if (url.length > 8 && isWebUrl(url)) {
      p.appendChild(d.createTextNode(plain + open));
      p.appendChild(link(d, '', url, url, 'noopener noreferrer'));
      plain = word.slice(url.length);
    } else {
      plain += piece;
    }
  }
  p.appendChild(d.createTextNode(plain));
}

// A section of text items (the prep notes, the account's context): each value as text with its
// line breaks (CSS), its http(s) links as links, and a long one folded, with a "Show more"
// disclosure (CSS unfolds the value while the disclosure is open; its id keeps it open across
// redraws). The prep note planned now is marked `now`; an item may link elsewhere (its ticket).
function context(d, view) {
  const section = el(d, 'section', view.id, 'context');
  section.appendChild(el(d, 'h2', '', 'context-heading', view.heading));
  view.items.forEach((item, i) => {
    const div = el(d, 'div', '', item.now ? 'context-item now' : 'context-item');
    div.appendChild(el(d, 'p', '', 'context-label', item.label));
    if (item.link) div.appendChild(link(d, '', item.link[0], item.link[1], 'noopener noreferrer'));
    const p = el(d, 'p', '', item.fold ? 'context-text fold' : 'context-text');
    p.setAttribute('dir', 'auto');
    linkedText(d, p, item.text);
    div.appendChild(p);
    if (item.fold) {
      const details = el(d, 'details', `${view.id}-more-${i}`, 'context-more');
      const summary = el(d, 'summary');
      summary.appendChild(el(d, 'span', '', 'more', view.more));
      summary.appendChild(el(d, 'span', '', 'less', view.less));
      details.appendChild(summary);
      div.appendChild(details);
    }
    section.appendChild(div);
  });
  return section;
}

function ping(d, view, label) {
  switch (view.kind) {
    case 'Ready':
      return [button(d, 'ping-button', 'button button-primary', view.label, false)];
    case 'InFlight':
      return [button(d, 'ping-button', 'button button-primary', view.label, true)];
    case 'Done': {
      const status = el(d, 'p', 'ping-status', 'ping-status');
      status.appendChild(el(d, 'span', '', '', view.text));
      status.appendChild(d.createTextNode(' '));
      status.appendChild(link(d, 'thread-link', view.link_label, isWebUrl(view.permalink) ? view.permalink : '', 'noopener'));
      return [status];
    }
    case 'Failed': {
      const error = el(d, 'div', 'ping-error', 'ping-error');
      const p = el(d, 'p', '', 'error-message');
      message(d, p, view.message, label, 'ping-details');
      error.appendChild(p);
      error.appendChild(button(d, 'retry-button', 'button button-secondary', view.retry_label, false));
      // Degraded mode: the text to post by hand, selectable, and a button that copies it.
      if (view.copy) {
        const [copyLabel, copyText] = view.copy;
        const area = el(d, 'textarea', 'ping-text', 'ping-text', copyText);
        area.setAttribute('readonly', '');
        area.setAttribute('aria-label', copyLabel);
        area.setAttribute('rows', '6');
        error.appendChild(area);
        error.appendChild(button(d, 'copy-button', 'button button-secondary', copyLabel, false));
      }
      return [error];
    }
    default:
      return [];
  }
}

// The prep-note form (N3): drawn once and then kept, since the agent is typing in it; each render
// refreshes only what follows the fields (why it cannot be saved, the preview, the status) and
// the Save button. The draft lives in localStorage under the view's key, so it survives closing
// the sidebar, a reload and a failed save, with the nonce of its save (kept before the save is
// sent: the core reads back for it before saving again). Where the browser denies the iframe
// storage (third-party storage blocked), the draft lives as long as the page.
const memory = new Map();
const stored = (key) => {
  try {
    return JSON.parse(localStorage.getItem(key)) || {};
  } catch {
    return memory.get(key) || {};
  }
};
const store = (key, draft) => {
  memory.set(key, draft);
  try {
    if (draft) localStorage.setItem(key, JSON.stringify(draft));
    else localStorage.removeItem(key);
  } catch {
    // Kept in `memory` only.
  }
};

// The form's fields in the core's order (`Draft`: task, start, end, zone, then the five parts),
// with their controls.
const FIELDS = [
  ['task', 'text'], ['start', 'datetime-local'], ['end', 'datetime-local'], ['zone', 'text'],
  ['planned'], ['problems'], ['solutions'], ['context'], ['contacts'],
];

/** The fields of the form `box` by name, with the nonce kept with its draft. */
function draftOf(box) {
  const draft = { nonce: stored(box.dataset.key).nonce || '' };
  for (const input of box.querySelectorAll('[data-name]')) draft[input.dataset.name] = input.value;
  return draft;
}

/** The form's values in the core's order, then the kept nonce; null without a form. */
export function formDraft(d) {
  const box = d.getElementById('prep-composer');
  if (!box) return null;
  const draft = draftOf(box);
  return FIELDS.map(([name]) => draft[name]).concat(draft.nonce);
}

/** Keeps what the form holds now (after each keystroke). */
export function keepDraft(d) {
  const box = d.getElementById('prep-composer');
  if (box) store(box.dataset.key, draftOf(box));
}

function composer(d, c, label, box) {
  if (!box || box.dataset.key !== c.key) {
    box = el(d, 'details', 'prep-composer', 'composer');
    box.dataset.key = c.key;
    box.dataset.cleared = '0';
    box.appendChild(el(d, 'summary', 'prep-composer-summary', '', c.title));
    const form = el(d, 'div', 'prep-form', 'prep-form');
    FIELDS.forEach(([name, kind], i) => {
      const l = el(d, 'label', '', 'prep-label', c.labels[i]);
      l.setAttribute('for', `prep-${name}`);
      const input = el(d, kind ? 'input' : 'textarea', `prep-${name}`, 'prep-input');
      if (kind) input.setAttribute('type', kind);
      input.dataset.name = name;
      form.append(l, input);
    });
    const actions = el(d, 'div', '', 'prep-actions');
    actions.append(
      button(d, 'prep-preview-button', 'button button-secondary', c.preview_label, false),
      button(d, 'prep-save-button', 'button button-primary', c.save_label, false),
    );
    form.append(el(d, 'ul', 'prep-invalid', 'problems'), actions, el(d, 'p', 'prep-status', 'prep-status'));
    const preview = el(d, 'pre', 'prep-preview', 'prep-preview');
    preview.setAttribute('dir', 'auto');
    form.appendChild(preview);
    box.appendChild(form);
    const kept = stored(c.key);
    fill(box, kept, c.zone);
    box.dataset.nonce = kept.nonce || '';
  }
  if (c.clear > +box.dataset.cleared) {
    // Saved: the draft goes, and the form starts a new one.
    box.dataset.cleared = String(c.clear);
    store(c.key, null);
    fill(box, {}, c.zone);
    box.dataset.nonce = '';
  } else if (c.synced && (c.nonce || '') !== box.dataset.nonce) {
    // The core's nonce for this form changed (a save began, or ended): kept with the draft.
    // Only then: another tab's nonce for the same ticket is not overwritten on every redraw.
    box.dataset.nonce = c.nonce || '';
    store(c.key, { ...draftOf(box), nonce: box.dataset.nonce });
  }
  // While a save runs the words are the ones being saved: they cannot change under it.
  for (const input of box.querySelectorAll('[data-name]')) input.readOnly = c.busy;
  box.querySelector('#prep-invalid').replaceChildren(...c.invalid.map((t) => el(d, 'li', '', '', t)));
  const status = box.querySelector('#prep-status');
  status.replaceChildren();
  if (c.status) message(d, status, c.status, label, 'prep-details');
  const preview = box.querySelector('#prep-preview');
  preview.textContent = c.preview == null ? '' : c.preview;
  preview.hidden = c.preview == null;
  box.querySelector('#prep-save-button').disabled = c.busy;
  box.querySelector('#prep-preview-button').disabled = false;
  return box;
}

function fill(box, draft, zone) {
  for (const input of box.querySelectorAll('[data-name]')) {
    const name = input.dataset.name;
    input.value = draft[name] != null ? draft[name] : name === 'zone' ? zone : '';
  }
}

// What goes above the ping region and what below it. The ASE card, whose text changes with the
// minute (and may wrap to another line), is below, so the Ping button never moves under the
// agent's pointer.
function content(d, view, kept) {
  const above = [el(d, 'h1', 'headline', 'headline', view.headline)];
  if (view.problems.length) {
    const ul = el(d, 'ul', 'problems', 'problems');
    view.problems.forEach((problem, i) => {
      const li = el(d, 'li');
      message(d, li, problem, view.details_label, `problem-${i}-details`);
      ul.appendChild(li);
    });
    above.push(ul);
  }
  const e = view.emergency;
  const form = view.composer ? [composer(d, view.composer, view.details_label, kept)] : [];
  if (!e) return [above, form];
  if (e.reasons.length) {
    const ul = el(d, 'ul', 'reasons', 'reasons');
    for (const reason of e.reasons) ul.appendChild(el(d, 'li', '', '', reason));
    above.push(ul);
  }
  above.push(el(d, 'p', 'viewer-role', 'secondary', e.viewer_role));
  // The ASE's follow-up (C2): its button (busy while the draft goes), then its status.
  const f = e.follow_up;
  if (f && f.done) above.push(el(d, 'p', 'follow-up-status', 'secondary', f.label));
  else if (f) above.push(button(d, 'follow-up-button', 'button button-secondary', f.label, f.busy));
  const card = ase(d, e.ase, view.details_label);
  if (e.ase_retry != null) card.appendChild(button(d, 'ase-retry-button', 'button button-secondary', e.ase_retry, false));
  const below = [card];
  for (const section of [e.prep, e.context]) if (section) below.push(context(d, section));
  return [above, below.concat(form)];
}

/** This document's `#app` element, or null. */
export function appRoot() {
  return document.getElementById('app');
}

/** The document's language and direction, from the agent's strings. */
export function setLanguage(lang, dir) {
  const root = document.documentElement;
  root.lang = lang;
  root.dir = dir;
}

/**
 * Draws the view (`json`) into `root` and returns the content height in CSS pixels, for
 * `resize`. Everything but the ping's live region and the prep-note form is drawn anew each time
 * (the form is drawn once, then only its messages change); the live region only
 * when the ping part changed or `force` (a fresh renderer, or a click disabled a button). Open
 * disclosures stay open and keyboard focus stays on the element with the same id; when focus
 * was in the ping region and that element is gone or disabled, it moves to the region's first
 * usable control, else the region.
 */
export function renderView(root, json, force) {
  const view = JSON.parse(json);
  const d = root.ownerDocument;
  let live = root.querySelector(`#${LIVE}`);
  if (!live) {
    live = el(d, 'div', LIVE, 'ping');
    live.setAttribute('aria-live', 'polite');
    live.setAttribute('tabindex', '-1');
  }
  // A child of the root, so drawing around it cannot throw.
  if (live.parentNode !== root) root.appendChild(live);
  const active = d.activeElement;
  const focused = active && active.id && root.contains(active) ? [active.id, live.contains(active)] : null;
  const open = [...root.querySelectorAll('details[open]')].map((e) => e.id).filter(Boolean);

  root.setAttribute('data-phase', view.phase);
  root.setAttribute('data-collapsed', view.collapsed ? 'true' : 'false');
  if (view.phase === 'loading') root.setAttribute('aria-busy', 'true');
  else root.removeAttribute('aria-busy');
  // The prep-note form stays where it is (never detached: the agent's focus and caret stay).
  const kept = root.querySelector('#prep-composer');
  while (live.previousSibling) root.removeChild(live.previousSibling);
  for (let node = live.nextSibling; node; ) {
    const next = node.nextSibling;
    if (node !== kept) root.removeChild(node);
    node = next;
  }
  const [above, below] = content(d, view, kept);
  for (const node of above) root.insertBefore(node, live);
  const anchor = kept && below.includes(kept) ? kept : null;
  if (kept && !anchor) kept.remove();
  for (const node of below) if (node !== kept) root.insertBefore(node, anchor);

  const pingView = view.emergency ? view.emergency.ping : null;
  const key = JSON.stringify(pingView);
  if (force || lastPing.get(root) !== key) {
    live.replaceChildren(...(pingView ? ping(d, pingView, view.details_label) : []));
    lastPing.set(root, key);
  }

  for (const id of open) {
    const e = d.getElementById(id);
    if (e && root.contains(e)) e.setAttribute('open', '');
  }
  if (focused) {
    const [id, inLive] = focused;
    const same = d.getElementById(id);
    const usable = same && id !== LIVE && root.contains(same) && !same.disabled ? same : null;
    const target = usable || (inLive ? live.querySelector('button:not([disabled]), a[href]') || live : null);
    if (target && d.activeElement !== target) target.focus();
  }
  const height = Math.ceil(root.getBoundingClientRect().height);
  return Number.isFinite(height) && height > 0 ? height : 0;
}
