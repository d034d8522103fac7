// The Slack bot token never reaches the browser (ARCHITECTURE.md invariant; ZAF secure settings):
// every request and response body and header of every frame, every postMessage any frame
// receives, the host page's request log, the DOM and the app's storage are searched for it while
// the app renders every demo ticket, pings, and meets a Slack error.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TEST_TIMEOUT, world, openTicket, appShows, injectSlackFailure, clearSlackFailures, settled, hostRequests,
  useSession, waitFor,
} from './helpers.mjs';

const session = useSession();

// Runs in every frame before its own scripts: records each message event the frame receives.
const RECORD_MESSAGES = `(() => {
  window.__seenMessages = [];
  window.addEventListener('message', (e) => {
    let d;
    try { d = typeof e.data === 'string' ? e.data : JSON.stringify(e.data); } catch (_) { d = String(e.data); }
    window.__seenMessages.push(e.origin + ' ' + d);
  }, true);
})();`;

/**
 * Every frame of `page`: the messages it received, its DOM, and its local and session storage.
 * Storage is read inside the try: in the cross-origin app frame touching it may throw, and that
 * must not hide the frame's messages and DOM from the search.
 */
async function collectFrames(page, label, seen) {
  seen.push([`${label}: window.zhost.requests`, JSON.stringify(await hostRequests(page))]);
  for (const frame of page.frames()) {
    const dump = await frame
      .evaluate(() => {
        const storage = (get) => {
          try {
            return JSON.stringify(Object.entries(get()));
          } catch (e) {
            return `unreadable: ${e}`;
          }
        };
        return JSON.stringify({
          messages: window.__seenMessages ?? [],
          html: document.documentElement.outerHTML,
          local: storage(() => window.localStorage),
          session: storage(() => window.sessionStorage),
        });
      })
      .catch((e) => `evaluate failed: ${e}`);
    seen.push([`${label}: frame ${frame.url()}`, dump]);
  }
}

/** The app frame's entry of a collection: the probe must have read its DOM and messages. */
function appFrameDump(seen, label) {
  const entry = seen.find(([where]) => where.startsWith(`${label}: frame `) && where.includes('/app/'));
  assert.ok(entry, `${label}: the app frame was searched`);
  assert.ok(entry[1].includes('id=\\"app\\"'), `${label}: the app frame's DOM was read: ${entry[1].slice(0, 200)}`);
  return entry[1];
}

test('the Slack token appears in no request, response, postMessage, DOM or storage of any frame', TEST_TIMEOUT, async () => {
  const token = session.world.settings.slack_bot_token;
  assert.ok(typeof token === 'string' && token.length >= 8, 'world: settings.slack_bot_token is set');

  const seen = []; // [where, text]
  const pending = [];
  const context = await session.browser.newContext();
  await context.addInitScript(RECORD_MESSAGES);
  context.on('request', (req) => {
    seen.push([`request ${req.method()} ${req.url()}`, req.url()]);
    seen.push([`request headers ${req.url()}`, JSON.stringify(req.headers())]);
    const body = req.postData();
    if (body) seen.push([`request body ${req.url()}`, body]);
  });
  context.on('response', (res) => {
    pending.push(
      (async () => {
        seen.push([`response headers ${res.url()}`, JSON.stringify(await res.allHeaders())]);
        if (res.status() >= 300 && res.status() < 400) return;
        try {
          seen.push([`response body ${res.url()}`, (await res.body()).toString('latin1')]);
        } catch {
          // The page navigated away before the body was read; its requests are checked elsewhere.
        }
      })(),
    );
  });

  try {
    const page = await context.newPage();
    const collectPage = (label) => collectFrames(page, label, seen);

    for (const id of [201, 202, 203, 204]) {
      await openTicket(page, id, 100);
      await settled();
      await collectPage(`ticket ${id}`);
      appFrameDump(seen, `ticket ${id}`);
    }

    // A Slack error path (the app shows Slack's answer) and then a successful ping.
    const app = await openTicket(page, 201, 100);
    await appShows(app, '#ping-button');
    await injectSlackFailure({ method: 'chat.postMessage', error: 'invalid_auth', count: 1000 });
    await app.locator('#ping-button').click();
    await appShows(app, '#ping-error');
    await collectPage('after invalid_auth');
    await clearSlackFailures();
    await app.locator('#retry-button').click();
    await appShows(app, '#ping-status #thread-link');
    await settled();
    await collectPage('after the ping');
    await page.reload();
    await page.frameLocator('#app-frame').locator('#ping-status').waitFor();
    await settled();
    await collectPage('after a reload');
    await Promise.all(pending);
  } finally {
    await context.close();
  }

  assert.ok(seen.some(([where]) => where.includes('/_zaf/request')), 'the probe saw the proxied requests');
  const leaks = seen.filter(([, t]) => t.includes(token)).map(([where]) => where);
  assert.deepEqual(leaks, [], 'places where the Slack token reached the browser');
});

test('the token probe finds a token planted in the app frame (it can see what it claims to check)', TEST_TIMEOUT, async () => {
  const token = session.world.settings.slack_bot_token;
  const context = await session.browser.newContext();
  await context.addInitScript(RECORD_MESSAGES);
  try {
    const page = await context.newPage();
    await openTicket(page, 204, 100);
    const frame = page.frames().find((f) => f.url().includes('/app/'));
    assert.ok(frame, 'the app frame is there');
    const stored = await frame.evaluate((t) => {
      const p = document.createElement('p');
      p.textContent = `planted ${t}`;
      document.body.append(p);
      window.postMessage(`planted ${t}`, '*');
      try {
        window.sessionStorage.setItem('planted', t);
        return true;
      } catch {
        // Chromium denies storage to this cross-site frame (third-party storage): then nothing,
        // the app included, can keep anything there.
        return false;
      }
    }, token);
    // The posted message is delivered asynchronously: wait until the frame recorded it.
    await waitFor(
      () => frame.evaluate((t) => (window.__seenMessages ?? []).some((m) => m.includes(t)), token),
      { what: 'the planted message to be recorded' },
    );
    const seen = [];
    await collectFrames(page, 'planted', seen);
    const dump = appFrameDump(seen, 'planted');
    assert.ok(dump.includes(token), 'the planted token is found in the app frame');
    // Each place on its own: the DOM, the frame's storage and the messages it received.
    const parts = JSON.parse(dump);
    assert.ok(parts.html.includes(token), 'the probe reads the app frame\'s DOM');
    if (stored) {
      assert.ok(parts.session.includes(token), `the probe reads the app frame's storage: ${parts.session}`);
    } else {
      assert.ok(parts.session.startsWith('unreadable'), `storage the frame cannot write is unreadable too: ${parts.session}`);
    }
    assert.ok(parts.messages.some((m) => m.includes(token)), 'the probe reads the app frame\'s messages');
    const leaks = seen.filter(([, t]) => t.includes(token)).map(([where]) => where);
    assert.ok(leaks.length > 0, 'the leak search reports the planted token');
  } finally {
    await context.close();
  }
});
