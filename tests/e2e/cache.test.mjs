// Slack lookups are cached (issue 8, A2): reopening a ticket within a minute in the same tab does
// not ask Slack again who the ASE is, their presence or their Do Not Disturb; another tab (its own
// sessionStorage) asks once for itself. What the sidebar shows is the same either way.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_TIMEOUT, openTicket, text, useSession, withPage, appShows, proxied, settled } from './helpers.mjs';

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
  });
  await withPage(session, async (page) => {
    const app = await openTicket(page, 201, 100);
    await appShows(app, '#ping-button', 'the Ping button in another tab');
    await settled();
    assert.deepEqual(await lookups(), [2, 2, 2], 'another tab asks once for itself');
  });
});
