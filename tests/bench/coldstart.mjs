// Cold-start benchmark of the app in the local Zendesk host: how long after the app iframe starts
// navigating (a) the wasm is instantiated, (b) #app gets its first content, (c) ticket 201 shows
// the emergency with the ASE card found, (d) ticket 204 shows collapsed as not an emergency.
//
// Run by `cargo xtask bench`, which builds the app, starts zhost (ZHOST_URL) and prints the one
// JSON line this script writes to stdout ({"coldstart": ...}) as a table. It starts nothing itself
// but the system Chromium. Progress goes to stderr. COLDSTART_LOADS sets the loads per ticket and
// network condition (default 15).
//
// Every load is cold: a fresh browser context, the cache disabled (CDP Network.setCacheDisabled)
// in the host page and in the app iframe. The app iframe is cross-site to the host page, so
// Chromium runs it out of process with its own CDP target: the script auto-attaches to it, paused
// before it loads anything, to apply the same cache and network settings there, then resumes it.
// The marks are taken inside the iframe by an init script: WebAssembly.instantiateStreaming /
// instantiate wrapped to note when the promise resolves, and a MutationObserver on the document;
// all are performance.now() of the iframe, i.e. ms since its navigation start (timeOrigin).

import { launch, reset, ZHOST } from '../e2e/helpers.mjs';

const LOADS = Math.max(1, Number(process.env.COLDSTART_LOADS ?? 15) || 15);
const DEADLINE_MS = 30_000;
/** A load that fails (e.g. the package is being rebuilt under zhost) is retried this often. */
const RETRIES = 2;

const CONDITIONS = [
  { name: 'loopback', label: 'loopback', network: null },
  {
    name: 'throttled',
    label: '150 ms RTT, 1.6 Mbit/s',
    network: { offline: false, latency: 150, downloadThroughput: 200_000, uploadThroughput: 200_000 },
  },
];

const TICKETS = [
  { id: 201, agent: 100, done: 'emergency' },
  { id: 204, agent: 100, done: 'collapsed' },
];

const ROWS = [
  { ticket: 201, mark: 'wasm', label: '201 wasm instantiated' },
  { ticket: 201, mark: 'render', label: '201 first render (#app has content)' },
  { ticket: 201, mark: 'emergency', label: '201 emergency card shown (ASE found)' },
  { ticket: 204, mark: 'wasm', label: '204 wasm instantiated' },
  { ticket: 204, mark: 'render', label: '204 first render (#app has content)' },
  { ticket: 204, mark: 'collapsed', label: '204 collapsed not-emergency shown' },
  { ticket: 201, mark: 'iframeStart', label: 'app iframe starts after the host page (201)' },
];

/** Runs in every frame before its scripts; only the app's frame (path /app/) records marks. */
function recordMarks() {
  if (!location.pathname.startsWith('/app/')) return;
  const marks = { wasm: null, render: null, emergency: null, collapsed: null };
  Object.defineProperty(window, '__coldstart', { value: marks });
  const now = () => performance.now();
  for (const name of ['instantiateStreaming', 'instantiate']) {
    const original = WebAssembly[name];
    if (typeof original !== 'function') continue;
    WebAssembly[name] = function (...args) {
      const result = original.apply(this, args);
      result.then(
        () => {
          if (marks.wasm === null) marks.wasm = now();
        },
        () => {},
      );
      return result;
    };
  }
  const check = () => {
    const app = document.getElementById('app');
    if (!app) return;
    const t = now();
    if (marks.render === null && app.firstChild) marks.render = t;
    const phase = app.getAttribute('data-phase');
    if (marks.emergency === null && phase === 'emergency' && app.querySelector('#ase[data-ase="found"]')) {
      marks.emergency = t;
    }
    if (marks.collapsed === null && phase === 'not-emergency') marks.collapsed = t;
  };
  new MutationObserver(check).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    characterData: true,
  });
}

/**
 * Applies `network` (or none) and a disabled cache to the page and, through auto-attach with the
 * new targets paused until configured, to its out-of-process frames.
 */
async function configure(context, page, network) {
  const cdp = await context.newCDPSession(page);
  const setup = async (send) => {
    await send('Network.enable');
    await send('Network.setCacheDisabled', { cacheDisabled: true });
    if (network) await send('Network.emulateNetworkConditions', network);
  };
  await setup((method, params) => cdp.send(method, params));
  // Non-flattened auto-attach: child targets are reached through Target.sendMessageToTarget on
  // this session, which leaves Playwright's own (flattened) sessions to those targets alone.
  let nextId = 0;
  const pending = new Map();
  cdp.on('Target.receivedMessageFromTarget', ({ message }) => {
    const m = JSON.parse(message);
    const p = m.id !== undefined && pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error) p.reject(new Error(`${p.method}: ${m.error.message}`));
    else p.resolve(m.result);
  });
  cdp.on('Target.attachedToTarget', async ({ sessionId, targetInfo }) => {
    const send = (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = ++nextId;
        pending.set(id, { resolve, reject, method });
        cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
      });
    try {
      if (targetInfo.type === 'iframe') await setup(send);
    } catch (e) {
      console.error(`coldstart: could not configure the ${targetInfo.type} target: ${e.message}`);
    } finally {
      await send('Runtime.runIfWaitingForDebugger').catch(() => {});
    }
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: false });
}

async function appFrame(page) {
  const end = Date.now() + DEADLINE_MS;
  for (;;) {
    const frame = page.frames().find((f) => new URL(f.url() || 'about:blank', 'http://x').pathname.startsWith('/app/'));
    if (frame) return frame;
    if (Date.now() > end) throw new Error('the app iframe did not appear');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** One cold load of a ticket; the iframe's marks, plus what the network and console saw. */
async function coldLoad(browser, ticket, network, { lingerMs = 0 } = {}) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    await context.addInitScript(recordMarks);
    const page = await context.newPage();
    await configure(context, page, network);
    const wasmRequests = [];
    const warnings = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.endsWith('.wasm')) wasmRequests.push(r.url());
    });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (/preload/i.test(m.text())) warnings.push(m.text());
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`${ZHOST}/tickets/${ticket.id}?agent=${ticket.agent}`, { waitUntil: 'commit' });
    const frame = await appFrame(page);
    const end = Date.now() + DEADLINE_MS;
    let marks;
    for (;;) {
      marks = await frame.evaluate(() => window.__coldstart ?? null).catch(() => null);
      if (marks && marks[ticket.done] !== null && marks.wasm !== null && marks.render !== null) break;
      if (Date.now() > end) {
        throw new Error(
          `ticket ${ticket.id}: no "${ticket.done}" mark within ${DEADLINE_MS} ms: ${JSON.stringify(marks)}` +
            (errors.length ? `; page errors: ${errors.join(' | ')}` : ''),
        );
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    const [pageOrigin, frameOrigin] = [
      await page.evaluate(() => performance.timeOrigin),
      await frame.evaluate(() => performance.timeOrigin),
    ];
    if (lingerMs) await new Promise((r) => setTimeout(r, lingerMs));
    return { ...marks, iframeStart: frameOrigin - pageOrigin, wasmRequests: wasmRequests.length, warnings };
  } finally {
    await context.close();
  }
}

let retried = 0;

/** `coldLoad`, retried on failure; the sample of the first load that completes. */
async function sample(browser, ticket, network) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await coldLoad(browser, ticket, network);
    } catch (e) {
      if (attempt >= RETRIES) throw e;
      retried++;
      console.error(`coldstart: retrying a load of ticket ${ticket.id}: ${e.message}`);
    }
  }
}

function stats(values) {
  const v = values.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (!v.length) return null;
  const mid = v.length >> 1;
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1], n: v.length };
}

const started = Date.now();
const browser = await launch();
try {
  await reset();
  // Warm-up (not measured): Chromium's first launch of a renderer, zhost's caches. It also waits
  // past the load event long enough for Chromium's "preloaded but not used" warning to appear.
  const warm = await coldLoad(browser, TICKETS[0], null, { lingerMs: 3500 });
  const samples = {};
  const wasmRequests = [warm.wasmRequests];
  const warnings = [...warm.warnings];
  for (const c of CONDITIONS) {
    samples[c.name] = { 201: [], 204: [] };
    for (let i = 0; i < LOADS; i++) {
      for (const t of i % 2 ? [...TICKETS].reverse() : TICKETS) {
        const s = await sample(browser, t, c.network);
        samples[c.name][t.id].push(s);
        wasmRequests.push(s.wasmRequests);
        warnings.push(...s.warnings);
      }
    }
    console.error(`coldstart: ${c.name}: ${LOADS} loads of each ticket done (${Math.round((Date.now() - started) / 1000)} s)`);
  }
  const rows = ROWS.map((row) => ({
    label: row.label,
    stats: Object.fromEntries(CONDITIONS.map((c) => [c.name, stats(samples[c.name][row.ticket].map((s) => s[row.mark]))])),
  }));
  const once = wasmRequests.every((n) => n === 1);
  const notes = [
    `wasm requested ${once ? 'once in every load' : `per load: ${JSON.stringify(wasmRequests)}`}; ` +
      `"preload" console warnings: ${warnings.length}${warnings.length ? ` (${[...new Set(warnings)].join(' | ')})` : ''}`,
    `${CONDITIONS.length * TICKETS.length * LOADS + 1} loads in ${Math.round((Date.now() - started) / 1000)} s` +
      (retried ? ` (${retried} failed and retried)` : ''),
  ];
  const conditions = CONDITIONS.map(({ name, label, network }) => ({ name, label, network }));
  console.log(JSON.stringify({ coldstart: { loads: LOADS, conditions, rows, notes, samples } }));
} finally {
  await browser.close();
}
