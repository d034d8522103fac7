// Two Zendesk accounts, one Slack (issue 6): the world's sandbox is a copy of the account with
// the same ticket ids, and its app posts into the same workspace and channel. Each account's ping
// makes its own thread (Slack metadata names the account) and its own note; neither mistakes the
// other's for its own.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_TIMEOUT, ZHOST, appShows, channelThreads, settled, useSession, withPage } from './helpers.mjs';

const session = useSession();

async function pingOn(page, url) {
  await page.goto(url);
  const app = page.frameLocator('#app-frame');
  await app.locator('#ping-button:not([disabled])').waitFor();
  await app.locator('#ping-button').click();
  await appShows(app, '#ping-status #thread-link', url);
  return app;
}

async function notesOf(account) {
  const r = await fetch(`${ZHOST}/api/v2/tickets/201/comments.json`, {
    headers: { 'X-Zhost-Agent': '100', ...(account ? { 'X-Zhost-Account': account } : {}) },
  });
  const body = await r.json();
  return body.comments.filter((c) => !c.public && String(c.body).includes('ase-emergency-assist:v1 ping'));
}

test("a sandbox's ping and the account's ping each make their own thread and note", TEST_TIMEOUT, async () => {
  const main = session.world.account.subdomain;
  const sandbox = session.world.sandbox.subdomain;
  await withPage(session, async (page) => {
    await pingOn(page, `${ZHOST}/tickets/201?agent=100&account=${sandbox}`);
  });
  await settled();
  await withPage(session, async (page) => {
    // The sandbox's thread for "ticket 201" is not this account's: the button is offered.
    await pingOn(page, `${ZHOST}/tickets/201?agent=100`);
  });
  await settled();
  const roots = (await channelThreads(session.world)).filter(
    (m) => m.metadata?.event_type === 'ase_emergency' && String(m.metadata?.event_payload?.ticket_id) === '201',
  );
  const accounts = roots.map((r) => r.metadata.event_payload.subdomain).sort();
  assert.deepEqual(accounts, [main, sandbox].sort(), 'one root per account');
  for (const r of roots) assert.equal(r.replies.length, 1, `one mention in ${r.metadata.event_payload.subdomain}'s thread`);
  assert.equal((await notesOf(null)).length, 1, "the account's note");
  assert.equal((await notesOf(sandbox)).length, 1, "the sandbox's note");
});
