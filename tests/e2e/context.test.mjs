// The account's context (issue 7, N1): the organization's notes and details and the listed
// organization fields (`context_fields`), inline on an emergency, as text: hostile text stays
// text, http(s) words become safe links, and a long value folds behind "Show more".

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  T, TEST_TIMEOUT, openTicket, appShows, text, useSession, withPage, zendeskWrite, appFrame,
} from './helpers.mjs';

const session = useSession();

test('an emergency shows its account context with the fields\' titles', TEST_TIMEOUT, async () => {
  const org = session.world.zendesk.organizations.find((o) => o.id === 5001);
  await withPage(session, async (page) => {
    const app = await openTicket(page, 201, 100);
    await appShows(app, '#account-context', 'the account context');
    assert.equal(await text(app.locator('#account-context h2')), T.ui.context.heading);
    const items = await app.locator('#account-context .context-item').evaluateAll((els) => els.map((el) => [
      el.querySelector('.context-label').textContent, el.querySelector('.context-text').textContent,
    ]));
    assert.deepEqual(items, [
      [T.ui.context.notes, org.notes],
      [T.ui.context.details, org.details],
      ['Architecture notes', org.organization_fields.architecture],
      // A dropdown shows its option's name, not its tag; a multi-select its options' names.
      ['Support plan', 'Enterprise'],
      ['Regions', 'EU West'],
    ]);
  });
});

test('hostile and long organization text stays text, with safe links and a fold', TEST_TIMEOUT, async () => {
  const hostile = '<img src=x onerror="window.__pwned=1"> *bold* <!channel> see https://status.globex.example/incidents. and javascript:alert(1)';
  const long = `${'Runbook line with details\n'.repeat(2000)}end`;
  await zendeskWrite(session.world, 'PUT', '/api/v2/organizations/5001.json', {
    organization: { notes: hostile, details: long },
  });
  await withPage(session, async (page) => {
    const app = await openTicket(page, 201, 100);
    await appShows(app, '#account-context', 'the account context');
    const notes = app.locator('#account-context .context-item').first();
    assert.equal(await notes.locator('.context-text').textContent(), hostile);
    assert.equal(await app.locator('#account-context img').count(), 0);
    const hrefs = await app.locator('#account-context a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.deepEqual(hrefs, ['https://status.globex.example/incidents']);
    const frame = await appFrame(page);
    assert.equal(await frame.evaluate(() => window.__pwned), undefined);
    // The 50 KB value is folded to a few lines until "Show more" is opened.
    const details = app.locator('#account-context .context-item').nth(1);
    const folded = await details.locator('.context-text').evaluate((el) => el.getBoundingClientRect().height);
    assert.ok(folded < 120, `folded to a few lines: ${folded}px`);
    await details.locator('summary').click();
    assert.equal((await details.locator('summary').innerText()).trim(), T.ui.context.less);
    const open = await details.locator('.context-text').evaluate((el) => el.getBoundingClientRect().height);
    assert.ok(open > folded * 10, `opened: ${open}px`);
    assert.equal((await details.locator('.context-text').textContent()).length, long.length);
  });
});
