// Live state (issue 6): the sidebar follows the ticket as the agent edits it (ZAF's
// `ticket.*.changed`, before saving), a save in another tab (`ticket.updated`), and the other
// agent's ping (re-read on `app.activated` and on saves), without a reload and without a storm of
// requests.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TEST_TIMEOUT, openTicket, appShows, proxied, settled, useSession, withPage, waitFor,
} from './helpers.mjs';

const session = useSession();

const phaseIs = (app, phase) => appShows(app, `#app[data-phase="${phase}"]`, `phase ${phase}`);

test('a ticket set to urgent while open becomes an emergency; set back, it collapses', TEST_TIMEOUT, async () => {
  await withPage(session, async (page) => {
    const app = await openTicket(page, 204, 100);
    await phaseIs(app, 'not-emergency');
    await settled();
    assert.equal((await proxied()).length, 0, 'no request on an ordinary ticket');
    await page.selectOption('#edit-priority', 'urgent');
    await phaseIs(app, 'emergency');
    await appShows(app, '#ase-name', 'the ASE of the account');
    await appShows(app, '#ping-button', 'the Ping button');
    await page.selectOption('#edit-priority', 'normal');
    await phaseIs(app, 'not-emergency');
    // Unsaved: the ticket itself did not change.
    const t = await (await fetch(`${process.env.ZHOST_URL}/_zhost/ticket_view?ticket=204&agent=100`)).json();
    assert.equal(t.ticket.priority, 'normal');
  });
});

test('a tag added in the editor makes an emergency; a second tab sees it once saved', TEST_TIMEOUT, async () => {
  await withPage(session, async (other) => {
    const second = await openTicket(other, 204, 102);
    await phaseIs(second, 'not-emergency');
    await withPage(session, async (page) => {
      const app = await openTicket(page, 204, 100);
      await page.fill('#edit-tags', 'billing emergency');
      await page.press('#edit-tags', 'Tab');
      await phaseIs(app, 'emergency');
      await page.click('#save-ticket');
      await page.locator('#edit-state', { hasText: 'Saved' }).waitFor();
    });
    // The second tab learns of the save from `ticket.updated` and reads the ticket again.
    await phaseIs(second, 'emergency');
    await appShows(second, '#ping-button', 'the Ping button in the second tab');
  });
});

test("another agent's ping shows in an open sidebar without a reload", TEST_TIMEOUT, async () => {
  await withPage(session, async (other) => {
    const watcher = await openTicket(other, 201, 102);
    await appShows(watcher, '#ping-button:not([disabled])', 'the watcher is idle');
    await withPage(session, async (page) => {
      const app = await openTicket(page, 201, 100);
      await app.locator('#ping-button:not([disabled])').waitFor();
      await app.locator('#ping-button').click();
      await appShows(app, '#ping-status #thread-link', 'the pinger');
    });
    await appShows(watcher, '#ping-status #thread-link', "the other agent's ping");
    await settled();
    // The watcher re-read a bounded number of times: no storm.
    const reads = (await proxied()).filter((r) => r.agent === 102);
    assert.ok(reads.length <= 12, `requests of the watching sidebar: ${reads.map((r) => `${r.method} ${r.url}`).join('\n')}`);
  });
});

test('coming back to the app re-reads the shared state at most every 10 s', TEST_TIMEOUT, async () => {
  await withPage(session, async (page) => {
    const app = await openTicket(page, 201, 100);
    await appShows(app, '#ping-button:not([disabled])', 'idle');
    await settled();
    const before = (await proxied()).length;
    for (let i = 0; i < 5; i++) {
      await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    }
    await settled();
    const after = await proxied();
    const extra = after.slice(before);
    assert.ok(extra.length <= 2, `one re-read for five activations: ${extra.map((r) => r.url).join(', ')}`);
    await waitFor(async () => (await app.locator('#ping-button:not([disabled])').count()) === 1, { what: 'the button stays' });
  });
});

test('an assignee changed in the editor changes who the sidebar calls the DRI', TEST_TIMEOUT, async () => {
  await withPage(session, async (page) => {
    // Sam (102) looks at 201, assigned to Olivia (100): he is neither ASE nor DRI.
    const app = await openTicket(page, 201, 102);
    await appShows(app, '#ase-name', 'the ASE');
    const { T } = await import('./helpers.mjs');
    await app.locator('#viewer-role', { hasText: T.ui.role.other }).waitFor();
    await page.selectOption('#edit-assignee', '102');
    await app.locator('#viewer-role', { hasText: T.ui.role.dri }).waitFor();
  });
});
