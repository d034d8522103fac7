// Start-up failures are said, never a blank or stuck sidebar (the shell, src/host/shell.js): the
// app's page opened outside Zendesk and the ZAF SDK blocked each draw the error panel with the
// sentence that names the cause.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T, TEST_TIMEOUT, openTicket, text, useSession, withPage, appShows } from './helpers.mjs';

const session = useSession();

/** The panel's headline and sentence once the app shows its error phase. */
async function panel(app) {
  await appShows(app, '#app[data-phase="misconfigured"]');
  return [await text(app.locator('#headline')), await text(app.locator('#problems li .message-text'))];
}

test('the app opened outside Zendesk says so', TEST_TIMEOUT, async () => {
  await withPage(session, async (page) => {
    await openTicket(page, 201, session.world.agents[0]);
    // The iframe's own address without the `origin` and `app_guid` Zendesk adds.
    const src = await page.locator('#app-frame').getAttribute('src');
    await page.goto(src.split('?')[0]);
    const [headline, sentence] = await panel(page);
    assert.equal(headline, T.host.error.headline);
    assert.equal(sentence, T.host.error.not_in_zendesk);
  });
});

test('a blocked ZAF SDK is named, not a sidebar stuck on loading', TEST_TIMEOUT, async () => {
  await withPage(session, async (page) => {
    await page.route(/zaf_sdk/, (route) => route.abort());
    await page.goto(`${process.env.ZHOST_URL}/tickets/201?agent=${session.world.agents[0]}`);
    const [headline, sentence] = await panel(page.frameLocator('#app-frame'));
    assert.equal(headline, T.host.error.headline);
    assert.equal(sentence, T.host.error.sdk_missing);
  });
});
