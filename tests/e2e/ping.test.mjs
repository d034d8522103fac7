// The ping (PRODUCT.md S1, S2, S3; CONTRACTS.md §8): one click creates the emergency's Slack thread,
// mentions the ASE in it and records both in an internal note; the state survives a reload, shows
// for a second agent, and no click pattern ever pings twice. Everything is read back through
// Slack's and Zendesk's own APIs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  T, TEST_TIMEOUT, world, openTicket, text, aseOf, userById, ticketThreads, pingNotes, proxied,
  settled, useSession, withPage, appShows,
} from './helpers.mjs';

const session = useSession();

const postMessages = async () => (await proxied()).filter((r) => String(r.url).includes('chat.postMessage'));

/** Waits for the "pinged" state and returns the thread link's URL. */
async function pinged(app, label) {
  await appShows(app, '#ping-status', label);
  const link = app.locator('#ping-status #thread-link');
  await link.waitFor();
  const href = await link.getAttribute('href');
  assert.ok(href, `${label}: #thread-link has an href`);
  return href;
}

/**
 * Asserts the Slack and Zendesk side of exactly one ping of `ticketId`: one root in the emergency
 * channel (metadata ticket_id, the ticket link in its text), one reply in its thread mentioning the
 * ASE, one internal note carrying the permalink. Returns what it found.
 */
async function assertExactlyOnePing(ticketId, href, label) {
  const ase = aseOf(session.world, ticketId);
  const channel = session.world.settings.slack_channel_id;
  const threads = await ticketThreads(session.world, ticketId);
  assert.equal(threads.length, 1, `${label}: thread roots for ticket ${ticketId} in ${channel}: ${JSON.stringify(threads, null, 1)}`);
  const root = threads[0];
  assert.equal(root.metadata.event_payload.action, 'root', `${label}: root metadata action`);
  assert.match(root.text, new RegExp(`tickets/${ticketId}\\b`), `${label}: the root's text links the ticket`);
  assert.equal(root.replies.length, 1, `${label}: replies in the thread: ${JSON.stringify(root.replies, null, 1)}`);
  const reply = root.replies[0];
  assert.ok(reply.text.includes(`<@${ase.slack.id}>`), `${label}: the reply mentions <@${ase.slack.id}>: ${reply.text}`);
  assert.equal(reply.thread_ts, root.ts, `${label}: the reply is in the root's thread`);
  // The retry path finds the mention again by this metadata, so it must be there.
  assert.equal(String(reply.metadata?.event_payload?.ticket_id), String(ticketId), `${label}: reply metadata ticket_id`);
  assert.equal(reply.metadata?.event_payload?.action, 'ping', `${label}: reply metadata action`);
  const mentions = threads.flatMap((r) => [r, ...r.replies]).filter((m) => m.text.includes(`<@${ase.slack.id}>`));
  assert.equal(mentions.length, 1, `${label}: exactly one mention of the ASE`);

  const domain = session.world.slack.team.domain;
  assert.ok(
    href.startsWith(`https://${domain}.slack.com/archives/${channel}/p`),
    `${label}: #thread-link ${href} is a permalink into ${channel}`,
  );
  const tsDigits = [root.ts, reply.ts].map((ts) => `p${ts.replace('.', '')}`);
  assert.ok(tsDigits.some((p) => href.includes(p)), `${label}: #thread-link ${href} names the thread (${tsDigits})`);

  const notes = await pingNotes(session.world, ticketId);
  assert.equal(notes.length, 1, `${label}: internal ping notes on ticket ${ticketId}: ${JSON.stringify(notes, null, 1)}`);
  const note = notes[0];
  assert.equal(note.public, false, `${label}: the note is internal`);
  const body = String(note.body ?? note.plain_body);
  assert.ok(
    body.includes(href) || body.includes(encodeURIComponent(href)),
    `${label}: the note carries the permalink ${href}: ${body}`,
  );
  const machine = body.split('\n').find((l) => l.startsWith('ase-emergency-assist:v1 ping'));
  assert.ok(machine, `${label}: the note has the machine line`);
  assert.ok(machine.includes(`channel=${channel}`), `${label}: machine line channel: ${machine}`);
  assert.ok(machine.includes(`thread_ts=${root.ts}`), `${label}: machine line thread_ts: ${machine}`);
  assert.ok(machine.includes(`ase=${ase.slack.id}`), `${label}: machine line ase: ${machine}`);

  assert.equal((await postMessages()).length, 2, `${label}: chat.postMessage calls through the proxy`);
  return { root, reply, note };
}

test('Ping ASE on 201: one root, one mention, one internal note; reload and a second agent see it, nothing is posted again', TEST_TIMEOUT, async () => {
  // The ASE (Maria, 101) is the one pinged: once her card has settled (presence shown), no
  // button offers her to ping herself.
  await withPage(session, async (page) => {
    const app = await openTicket(page, 201, 101);
    await appShows(app, '#ase-presence', 'the ASE looking at 201');
    // The ping's start-up read of the notes has answered too: its button would be there now.
    await settled();
    assert.equal(await text(app.locator('#viewer-role')), T.ui.role.ase, 'agent 101 is the ASE');
    assert.equal(await app.locator('#ping-button').count(), 0, 'the ASE: no #ping-button');
    assert.equal((await postMessages()).length, 0, 'the ASE posted nothing');
  });

  await withPage(session, async (page) => {
    const app = await openTicket(page, 201, 100);
    const button = app.locator('#ping-button');
    await button.waitFor();
    await button.click();
    const href = await pinged(app, 'after the click');
    await settled();
    await assertExactlyOnePing(201, href, 'after the click');

    const pinger = userById(session.world, 100);
    const status = await text(app.locator('#ping-status'));
    assert.ok(status.includes(pinger.name), `#ping-status ${JSON.stringify(status)} names the pinger ${pinger.name}`);
    assert.equal(await text(app.locator('#thread-link')), T.ui.ping.open_thread, '#thread-link label');

    await page.reload();
    const again = page.frameLocator('#app-frame');
    await again.locator('#app:not([data-phase="loading"])').waitFor();
    const hrefAfterReload = await pinged(again, 'after a reload');
    assert.equal(hrefAfterReload, href, 'the reload shows the same thread');
    assert.equal(await again.locator('#ping-button').count(), 0, 'after a reload: no #ping-button');
    await settled();
    await assertExactlyOnePing(201, href, 'after a reload');
  });

  for (const agent of [102, 101]) {
    await withPage(session, async (page) => {
      const app = await openTicket(page, 201, agent);
      const href = await pinged(app, `agent ${agent}`);
      assert.equal(await app.locator('#ping-button').count(), 0, `agent ${agent}: no #ping-button`);
      await settled();
      await assertExactlyOnePing(201, href, `agent ${agent}`);
    });
  }
});

for (const [ticketId, clicks, how] of [
  [201, 2, 'a double click'],
  [202, 3, 'a triple click'],
]) {
  test(`${how} on ticket ${ticketId} pings once`, TEST_TIMEOUT, async () => {
    await withPage(session, async (page) => {
      const app = await openTicket(page, ticketId, 100);
      const button = app.locator('#ping-button');
      await button.waitFor();
      await button.click({ clickCount: clicks, delay: 0 });
      const href = await pinged(app, how);
      await settled();
      await assertExactlyOnePing(ticketId, href, how);
    });
  });
}
