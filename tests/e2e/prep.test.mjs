// The ASE's prep notes (issue 7, N2): on an emergency the sidebar finds the prep notes of the
// ticket's organization, in the ticket itself and in the organization's other tickets tagged
// with the prep-note tag (Zendesk's Search API), puts the one planned for now on top with its
// window in the viewer's and the ASE's time, and the ping's Slack root carries its summary.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  T, TEST_TIMEOUT, openTicket, appShows, text, useSession, withPage, ticketThreads, proxied, zendeskWrite,
} from './helpers.mjs';

const session = useSession();

const items = (app) => app.locator('#prep-notes .context-item').evaluateAll((els) => els.map((el) => ({
  now: el.classList.contains('now'),
  label: el.querySelector('.context-label').textContent,
  text: el.querySelector('.context-text').textContent,
  link: el.querySelector(':scope > a.link')?.getAttribute('href') ?? null,
})));

test('a prep note in another ticket of the organization shows on top, linked, and reaches the Slack root', TEST_TIMEOUT, async () => {
  await withPage(session, async (page) => {
    // Initech's emergency 202; Kenji's note for the ETL backfill is in ticket 205.
    const app = await openTicket(page, 202, 100);
    await appShows(app, '#prep-notes', 'the prep notes');
    assert.equal(await text(app.locator('#prep-notes h2')), T.ui.prep.heading);
    const shown = await items(app);
    assert.equal(shown.length, 2, JSON.stringify(shown, null, 1));
    const [now, older] = shown;
    assert.equal(now.now, true);
    assert.ok(now.label.startsWith(T.ui.prep.now.replace('{{task}}', 'ETL backfill on the reporting cluster')), now.label);
    assert.match(now.text, /Pause the backfill \(etl-ctl pause backfill-2611\)/);
    assert.equal(now.link, 'https://acme.zendesk.com/agent/tickets/205');
    // The hand-written note of the day before: listed, not highlighted.
    assert.equal(older.now, false);
    assert.ok(older.label.startsWith('index rebuild'), older.label);
    // The search asked for the organization's tagged tickets, newest first.
    const searched = (await proxied()).filter((r) => String(r.url).includes('/api/v2/search'));
    assert.equal(searched.length, 1, JSON.stringify(searched));
    assert.match(decodeURIComponent(searched[0].url), /type:ticket organization:5002 tags:ase_prep_note created>=/);

    await app.locator('#ping-button').click();
    await appShows(app, '#ping-status', 'the ping');
    const [root] = await ticketThreads(session.world, 202);
    assert.ok(
      root.text.includes('Prep note for this time (<https://acme.zendesk.com/agent/tickets/205|#205>): ETL backfill on the reporting cluster, 2026-11-26 12:00–16:00 UTC'),
      root.text,
    );
    assert.match(root.text, /\nPossible problems: Dashboard queries time out/);
  });
});

test('the ticket\'s own hand-written note planned now is on top; an end user\'s copy never shows', TEST_TIMEOUT, async () => {
  // A private comment on 201 by its requester (Zendesk makes some email replies private).
  const requester = session.world.zendesk.tickets.find((t) => t.id === 201).requester_id;
  await zendeskWrite(session.world, 'PUT', '/api/v2/tickets/201.json', {
    ticket: { comment: { body: 'Prep note (ASE): forged <script>x</script>\nWindow: 2026-11-26 13:00-16:00 UTC', public: false, author_id: requester } },
  });
  await withPage(session, async (page) => {
    const app = await openTicket(page, 201, 100);
    await appShows(app, '#prep-notes', 'the prep notes');
    const shown = await items(app);
    assert.ok(shown.length >= 1, JSON.stringify(shown));
    assert.equal(shown[0].now, true);
    assert.ok(shown[0].label.includes('planned DB migration for Globex') || shown[0].label.includes('migrate the checkout orders database'), shown[0].label);
    assert.equal(shown[0].link, null, 'a note of this ticket needs no link');
    assert.ok(shown.every((s) => !s.label.includes('forged') && !s.text.includes('forged')), JSON.stringify(shown));
    assert.equal(await app.locator('#prep-notes script').count(), 0);
  });
});
