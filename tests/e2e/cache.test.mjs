// Slack lookups are cached (issue 8, A2): reopening a ticket within a minute in the same tab does
// not ask Slack again who the ASE is, their presence or their Do Not Disturb; another tab (its own
// sessionStorage) asks once for itself. What the sidebar shows is the same either way.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TEST_TIMEOUT, openTicket, text, useSession, withPage, appShows, appFrame, proxied, settled, injectSlackFailure,
} from './helpers.mjs';

const session = useSession();

const LOOKUPS = ['users.lookupByEmail', 'users.getPresence', 'dnd.info'];

/** How many times the proxy saw each of the ASE's Slack lookups. */
async function lookups() {
  const urls = (await proxied()).map((r) => String(r.url));
  return LOOKUPS.map((m) => urls.filter((u) => u.includes(`/api/${m}?`)).length);
}

test('a reopened ticket answers the ASE lookups from the tab\'s cache; another tab asks again', TEST_TIMEOUT, async () => {
  await withPage(session, async (page) => {
    let app = await openTicket(page, 201, 100);
    await appShows(app, '#ping-button', 'the Ping button');
    await settled();
    const card = await text(app.locator('#ase'));
    assert.deepEqual(await lookups(), [1, 1, 1], 'the first load asks Slack once each');

    await page.reload();
    app = page.frameLocator('#app-frame');
    await appShows(app, '#ping-button', 'the Ping button after the reload');
    await settled();
    assert.deepEqual(await lookups(), [1, 1, 1], 'the reload asks Slack nothing');
    assert.equal(await text(app.locator('#ase')), card, 'and shows the same card');

    // Another tab of the same browser has its own sessionStorage: it asks once for itself.
    const tab = await page.context().newPage();
    const other = await openTicket(tab, 201, 100);
    await appShows(other, '#ping-button', 'the Ping button in another tab');
    await settled();
    assert.deepEqual(await lookups(), [2, 2, 2], 'another tab asks once for itself');

    // An answer older than a minute is asked again.
    await (await appFrame(page)).evaluate(() => {
      for (const key of Object.keys(sessionStorage)) {
        if (key.startsWith('ase-slack:')) sessionStorage[key] = JSON.stringify({ ...JSON.parse(sessionStorage[key]), t: Date.now() - 61_000 });
      }
    });
    await page.reload();
    await appShows(page.frameLocator('#app-frame'), '#ping-button', 'the Ping button after the minute');
    await settled();
    assert.deepEqual(await lookups(), [3, 3, 3], 'an old answer is asked again');
  });
});

test('a failed lookup is not kept: the next load asks again', TEST_TIMEOUT, async () => {
  await injectSlackFailure({ method: 'dnd.info', error: 'missing_scope', count: 1 });
  await withPage(session, async (page) => {
    let app = await openTicket(page, 201, 100);
    await appShows(app, '#ase-presence-problem', 'the Do Not Disturb problem');
    await settled();
    await page.reload();
    app = page.frameLocator('#app-frame');
    await appShows(app, '#ping-button', 'the Ping button after the reload');
    await settled();
    assert.deepEqual(await lookups(), [1, 1, 2], 'only the failed dnd.info is asked again');
    assert.equal(await app.locator('#ase-presence-problem').count(), 0, 'and its problem is gone');
  });
});
