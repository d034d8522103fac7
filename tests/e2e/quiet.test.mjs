// A ticket that is not an emergency costs nothing (PRODUCT.md D2, ARCHITECTURE.md invariant "On a
// ticket that is not an emergency the app makes no HTTP request"): zero client.request calls, seen
// both by the host page (window.zhost.requests) and by the server's proxy log, and a collapsed app.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  T, TEST_TIMEOUT, world, openTicket, phase, text, proxied, settled, hostRequests, useSession,
} from './helpers.mjs';

const session = useSession();

test('ticket 204 makes zero client.request calls and shows the collapsed not-emergency phase', TEST_TIMEOUT, async () => {
  assert.notEqual(session.world.settings.hide_when_not_emergency, false, 'world: the demo collapses non-emergency tickets');
  const context = await session.browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const page = await context.newPage();
    const app = await openTicket(page, 204, 100);
    assert.equal(await phase(app), 'not-emergency');
    assert.equal(await text(app.locator('#headline')), T.ui.headline.not_emergency);
    // Give the app every chance to misbehave: wait until the server side is quiet, then look.
    await settled();

    const seenByHost = await hostRequests(page);
    assert.ok(Array.isArray(seenByHost), 'the host page exposes window.zhost.requests (CONTRACTS/brief)');
    assert.deepEqual(seenByHost, [], 'client.request calls seen by the host page');
    assert.deepEqual(await proxied(), [], 'requests in the proxy log (GET /_emulator/requests)');

    for (const id of ['#ase', '#ping-button', '#reasons li']) {
      assert.equal(await app.locator(id).count(), 0, `collapsed: no ${id}`);
    }
    const height = await page.locator('#app-frame').evaluate((el) => el.getBoundingClientRect().height);
    assert.ok(height > 0, `the app frame is still visible (height ${height})`);
  } finally {
    await context.close();
  }
});

test('an emergency ticket does use client.request (the log above is a working probe)', TEST_TIMEOUT, async () => {
  const context = await session.browser.newContext();
  try {
    const page = await context.newPage();
    const app = await openTicket(page, 201, 100);
    await app.locator('#ase:not([data-ase="loading"])').waitFor();
    await settled();
    const seenByHost = await hostRequests(page);
    assert.ok(Array.isArray(seenByHost) && seenByHost.length > 0, `window.zhost.requests on 201: ${JSON.stringify(seenByHost)}`);
    assert.ok((await proxied()).length > 0, 'the proxy log on 201 is not empty');
  } finally {
    await context.close();
  }
});
