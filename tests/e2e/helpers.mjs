// Shared helpers of the end-to-end tests: the browser, the local Zendesk host (zhost) and the
// real-API read-backs (Slack Web API, Zendesk REST) the tests assert with.
//
// Rules kept here: never download a browser (system Chromium only), never sleep for a fixed time
// (every wait is a condition with a deadline), read state back through the APIs a person or an
// integration would use, not through emulator internals.

import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { before, after, beforeEach } from 'node:test';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ZHOST = (process.env.ZHOST_URL ?? '').replace(/\/$/, '');
if (!ZHOST) {
  throw new Error('ZHOST_URL is not set: run the end-to-end tests with `cargo xtask test`');
}

/** Generous default deadline for a condition: CI machines are slow, and waits end early. */
export const DEADLINE_MS = 30_000;
/** Per-test timeout for node:test. */
export const TEST_TIMEOUT = { timeout: 180_000 };

/** Every user-facing string of the app (the tests compare against them, not copies). */
export const T = JSON.parse(readFileSync(new URL('../../translations/en.json', import.meta.url), 'utf8'));

/** `{{name}}` interpolation, as the app does it. */
export function fill(template, values) {
  return template.replace(/\{\{(\w+)\}\}/g, (_, k) => (k in values ? String(values[k]) : `{{${k}}}`));
}

export async function launch() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      // Debian's Chromium blocks third-party storage by default (the third-party cookie
      // phase-out Google's Chrome did not ship); the app's iframe is third-party to Zendesk's
      // page, as here, so its prep-note drafts need the storage Chrome gives it.
      '--disable-features=TrackingProtection3pcd',
    ],
  });
  // A fresh Chromium's first app load has, rarely, outlasted a test's 30 s deadline in the full
  // suite (cause not found: never on its own). One cold load of an ordinary ticket (no requests,
  // no state changed) is done here, with a longer deadline, so tests meet a warm browser.
  if (ZHOST) {
    const page = await browser.newPage();
    const started = Date.now();
    try {
      await page.goto(`${ZHOST}/tickets/204?agent=100`, { waitUntil: 'domcontentloaded', timeout: 90_000 });
      await page.frameLocator('#app-frame').locator('#app:not([data-phase="loading"])').waitFor({ timeout: 90_000 });
    } catch (e) {
      console.error(`warm-up load failed after ${Date.now() - started} ms: ${e.message.split('\n')[0]}`);
    } finally {
      const took = Date.now() - started;
      if (took > 10_000) console.error(`warm-up load took ${took} ms`);
      await page.close();
    }
  }
  return browser;
}

/** Polls `probe` until it returns a truthy value, and returns that value. */
export async function waitFor(probe, { timeout = DEADLINE_MS, interval = 100, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}; last: ${last?.stack ?? JSON.stringify(last)}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

async function http(method, path, { body, headers = {} } = {}) {
  const init = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  const res = await fetch(ZHOST + path, init);
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, headers: res.headers };
}

/** Puts the emulators back to the world file: every test starts here. */
export async function reset() {
  const r = await http('POST', '/_emulator/reset');
  assert.ok(r.status >= 200 && r.status < 300, `POST /_emulator/reset → ${r.status} ${r.text}`);
  await http('DELETE', '/_emulator/slack/fail');
  await http('DELETE', '/_emulator/requests');
}

export async function world() {
  const r = await http('GET', '/_emulator/world');
  assert.equal(r.status, 200, `GET /_emulator/world → ${r.status}`);
  return r.json;
}

/** Adds a fault rule of the emulators (CONTRACTS.md §4.3): Slack or Zendesk, before or after
 *  the effect, slow or dropped. */
export async function injectFault(rule) {
  const r = await http('POST', '/_emulator/fail', { body: rule });
  assert.ok(r.status >= 200 && r.status < 300, `POST /_emulator/fail → ${r.status} ${r.text}`);
}

/** A write to Zendesk REST as a world user (HTTP basic `email/token:x`), JSON in and out. */
export async function zendeskWrite(w, method, path, body, userId = w.agents[0]) {
  const user = w.zendesk.users.find((u) => u.id === userId);
  const auth = Buffer.from(`${user.email}/token:x`).toString('base64');
  const r = await http(method, path, { body, headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' } });
  assert.ok(r.status >= 200 && r.status < 300, `${method} ${path} → ${r.status} ${r.text}`);
  return r.json;
}

/** A Slack Web API write as the world's bot (JSON body). */
export async function slackPost(w, method, body) {
  const r = await http('POST', `/slack/api/${method}`, {
    body,
    headers: { authorization: `Bearer ${w.settings.slack_bot_token}`, 'content-type': 'application/json; charset=utf-8' },
  });
  assert.equal(r.json?.ok, true, `${method} → ${r.status} ${r.text}`);
  return r.json;
}

/** Makes the next Slack calls fail (CONTRACTS.md §4). */
export async function injectSlackFailure(rule) {
  const r = await http('POST', '/_emulator/slack/fail', { body: rule });
  assert.ok(r.status >= 200 && r.status < 300, `POST /_emulator/slack/fail → ${r.status} ${r.text}`);
}

export async function clearSlackFailures() {
  const r = await http('DELETE', '/_emulator/slack/fail');
  assert.ok(r.status >= 200 && r.status < 300, `DELETE /_emulator/slack/fail → ${r.status} ${r.text}`);
}

/** The proxy's log of every `client.request` (CONTRACTS.md §3). */
export async function proxied() {
  const r = await http('GET', '/_emulator/requests');
  assert.equal(r.status, 200, `GET /_emulator/requests → ${r.status}`);
  return r.json.requests;
}

/** Waits until the proxy log stops growing: the app has finished what it started. */
export async function settled({ quiet = 3, interval = 300 } = {}) {
  let last = -1;
  let same = 0;
  await waitFor(
    async () => {
      const n = (await proxied()).length;
      same = n === last ? same + 1 : 0;
      last = n;
      return same >= quiet;
    },
    { interval, what: 'the proxy log to stop growing' },
  );
}

/** Calls the Slack Web API emulator the way an integration would (bot token, Slack's own API). */
export async function slack(w, method, params = {}) {
  const q = new URLSearchParams(params).toString();
  const r = await http('GET', `/slack/api/${method}${q ? `?${q}` : ''}`, {
    headers: { authorization: `Bearer ${w.settings.slack_bot_token}` },
  });
  assert.equal(r.status, 200, `${method} → HTTP ${r.status} ${r.text}`);
  assert.equal(r.json?.ok, true, `${method} → ${r.text}`);
  return r.json;
}

/** The whole emergency channel: roots (with metadata) and each root's replies. */
export async function channelThreads(w) {
  const channel = w.settings.slack_channel_id;
  // Every page of the history, as Slack pages it (pages may be shorter than `limit`).
  const messages = [];
  let cursor = '';
  do {
    const page = await slack(w, 'conversations.history', {
      channel,
      include_all_metadata: 'true',
      limit: '200',
      ...(cursor ? { cursor } : {}),
    });
    messages.push(...page.messages);
    cursor = page.response_metadata?.next_cursor ?? '';
  } while (cursor);
  const roots = [];
  for (const m of messages) {
    if (m.thread_ts && m.thread_ts !== m.ts) continue;
    let replies = [];
    if (m.reply_count || m.thread_ts) {
      const r = await slack(w, 'conversations.replies', {
        channel,
        ts: m.ts,
        include_all_metadata: 'true',
        limit: '200',
      });
      replies = r.messages.filter((x) => x.ts !== m.ts);
    }
    roots.push({ ...m, replies });
  }
  return roots;
}

/** The channel's threads that the app created for one ticket (by Slack message metadata). */
export async function ticketThreads(w, ticketId) {
  const roots = await channelThreads(w);
  return roots.filter(
    (m) => m.metadata?.event_type === 'ase_emergency' && String(m.metadata?.event_payload?.ticket_id) === String(ticketId),
  );
}

/** Zendesk REST as a world user (HTTP basic `email/token:x`). */
export async function zendesk(w, path, userId = w.agents[0]) {
  const user = w.zendesk.users.find((u) => u.id === userId);
  assert.ok(user?.email, `world has no email for user ${userId}`);
  const auth = Buffer.from(`${user.email}/token:x`).toString('base64');
  const r = await http('GET', path, { headers: { authorization: `Basic ${auth}` } });
  assert.equal(r.status, 200, `GET ${path} → ${r.status} ${r.text}`);
  return r.json;
}

export async function internalNotes(w, ticketId) {
  const r = await zendesk(w, `/api/v2/tickets/${ticketId}/comments`);
  return r.comments.filter((c) => c.public === false);
}

/** Notes the app wrote for a ping (their machine line, CONTRACTS.md §8). */
export async function pingNotes(w, ticketId) {
  return (await internalNotes(w, ticketId)).filter((c) =>
    String(c.body ?? c.plain_body ?? '').includes('ase-emergency-assist:v1 ping'),
  );
}

// ---- facts about the world the tests derive instead of hard-coding ------------------------------

export function ticket(w, id) {
  const t = w.zendesk.tickets.find((x) => x.id === id);
  assert.ok(t, `world has no ticket ${id}`);
  return t;
}

export function organization(w, id) {
  return w.zendesk.organizations.find((o) => o.id === id);
}

export function userById(w, id) {
  return w.zendesk.users.find((u) => u.id === id);
}

/** The Slack user who is the ASE of a ticket's organization, if any. */
export function aseOf(w, ticketId) {
  const t = ticket(w, ticketId);
  const org = organization(w, t.organization_id);
  const field = w.settings.ase_org_field || 'ase_email';
  const email = org?.organization_fields?.[field];
  if (!email) return undefined;
  const su = w.slack.users.find((u) => u.profile?.email?.toLowerCase() === String(email).toLowerCase());
  const zu = w.zendesk.users.find((u) => u.email?.toLowerCase() === String(email).toLowerCase());
  return { email, slack: su, zendesk: zu, org };
}

// ---- the browser side ----------------------------------------------------------------------------

/**
 * Opens a ticket in the host as an agent and waits until the app has left `loading`.
 *
 * A load in which the app's script never ran at all (`#app` still empty: no "Loading…", no
 * request) is a load the browser or the local server stalled before the app had a say; it is
 * reported on stderr with every request the page made and its state, and loaded once more. Any
 * other stall (the app ran and stayed loading) fails at once: that one would be the app's.
 */
export async function openTicket(page, ticketId, agentId) {
  const requests = new Map();
  const console_ = [];
  // Watched during this load only (a page opens many tickets).
  const watch = {
    request: (r) => requests.set(r, 'pending'),
    requestfinished: async (r) => requests.set(r, String((await r.response().catch(() => null))?.status() ?? 'done')),
    requestfailed: (r) => requests.set(r, `failed: ${r.failure()?.errorText}`),
    console: (m) => console_.push(`${m.type()}: ${m.text()}`.slice(0, 200)),
  };
  for (const [event, handler] of Object.entries(watch)) page.on(event, handler);
  const unwatch = () => {
    for (const [event, handler] of Object.entries(watch)) page.off(event, handler);
  };
  const label = `ticket ${ticketId} for agent ${agentId} left loading`;
  const url = `${ZHOST}/tickets/${ticketId}?agent=${agentId}`;
  // The page's own HTML is enough; the app's readiness is awaited below, explicitly.
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  let app = page.frameLocator('#app-frame');
  try {
    await app.locator('#app:not([data-phase="loading"])').waitFor();
    return app;
  } catch (e) {
    const empty = await app.locator('#app').evaluate((el) => el.childElementCount === 0).catch(() => false);
    if (!empty) await appShows(app, '#app:not([data-phase="loading"])', label);
    const seen = [...requests].map(([r, state]) => `${r.method()} ${r.url().slice(0, 100)} → ${state}`);
    process.stderr.write(`WARNING ${label}: the app's script never ran within 30 s (${e.message.split('\n')[0]}); loading again.\nrequests:\n  ${seen.join('\n  ')}\nconsole:\n  ${console_.join('\n  ')}\n`);
  } finally {
    unwatch();
  }
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  app = page.frameLocator('#app-frame');
  await appShows(app, '#app:not([data-phase="loading"])', label);
  return app;
}

/** The app's iframe as a Frame (for evaluate and script injection). */
export async function appFrame(page) {
  const handle = await page.locator('#app-frame').elementHandle();
  const frame = await handle.contentFrame();
  assert.ok(frame, 'the #app-frame iframe has no content frame');
  return frame;
}

/**
 * Waits for `selector` inside the app; on a time-out the error tells what the app showed and the
 * last requests the proxy saw, so a failure in CI explains itself.
 */
export async function appShows(app, selector, label = selector) {
  try {
    await app.locator(selector).waitFor();
  } catch (e) {
    const shown = await app.locator('#app').evaluate((el) => el.outerHTML).catch((x) => `(unreadable: ${x})`);
    const log = await proxied().catch(() => []);
    const tail = log.slice(-8).map((r) => `${r.method} ${String(r.url).slice(0, 100)} → ${r.status}`);
    throw new Error(`${label}: ${selector} did not show (${e.message.split('\n')[0]})\napp: ${shown.slice(0, 2000)}\nlast requests:\n  ${tail.join('\n  ')}`);
  }
}

export async function phase(app) {
  return app.locator('#app').getAttribute('data-phase');
}

export async function text(locator) {
  return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/** `client.request` calls the host page saw (the host page's own log). */
export async function hostRequests(page) {
  return page.evaluate(() => (window.zhost && Array.isArray(window.zhost.requests) ? window.zhost.requests : null));
}

/**
 * The set-up every end-to-end file shares: one browser for the file, and before each test a
 * fresh world (reset) read back into `session.world`. Call once at the top level of a test file.
 */
export function useSession() {
  const session = { browser: null, world: null };
  before(async () => {
    session.browser = await launch();
  });
  after(async () => {
    await session.browser?.close();
  });
  beforeEach(async () => {
    await reset();
    session.world = await world();
  });
  return session;
}

/** Runs `fn(page)` in a fresh browser context of `session`'s browser and closes it afterwards. */
export async function withPage(session, fn, options = { viewport: { width: 1400, height: 900 } }) {
  const context = await session.browser.newContext(options);
  const page = await context.newPage();
  try {
    return await fn(page);
  } finally {
    await context.close();
  }
}
