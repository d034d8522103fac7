// The four demo tickets render as the product describes (PRODUCT.md D1, A1, A2; CONTRACTS.md §5-6):
// 201 emergency + ASE available, 202 emergency + ASE outside working hours, 203 emergency for an
// organization without an ASE, 204 a normal ticket; and the viewer role for each kind of agent.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  T, TEST_TIMEOUT, fill, world, openTicket, phase, text, ticket, organization, aseOf, useSession,
  withPage,
} from './helpers.mjs';

const session = useSession();

/** Waits for the ASE card to finish loading and returns its fields. */
async function aseCard(app) {
  const ase = app.locator('#ase');
  await app.locator('#ase:not([data-ase="loading"])').waitFor();
  const state = await ase.getAttribute('data-ase');
  return { state, text: await text(ase) };
}

function assertEmergencyHeader(label) {
  return async (app) => {
    assert.equal(await phase(app), 'emergency', `${label}: #app data-phase`);
    assert.equal(await text(app.locator('#headline')), T.ui.headline.emergency, `${label}: #headline`);
    const reasons = await app.locator('#reasons li').allTextContents();
    assert.ok(reasons.length >= 1, `${label}: at least one #reasons li`);
    for (const r of reasons) assert.ok(r.trim().length > 0, `${label}: empty reason`);
    return reasons.map((r) => r.replace(/\s+/g, ' ').trim());
  };
}

/** The reason line the priority rule must produce, when the ticket's priority is a rule. */
function expectedPriorityReason(t) {
  const rules = String(session.world.settings.emergency_priorities ?? 'urgent')
    .split(',')
    .map((s) => s.trim().toLowerCase());
  return t.priority && rules.includes(t.priority) ? fill(T.ui.reason.priority, { priority: t.priority }) : null;
}

async function checkAseFound(app, ticketId, tone) {
  const ase = aseOf(session.world, ticketId);
  assert.ok(ase?.slack, `world: ticket ${ticketId} must have an ASE with a Slack user`);
  const card = await aseCard(app);
  assert.equal(card.state, 'found', `ticket ${ticketId}: #ase data-ase (text: ${card.text})`);

  const names = [ase.slack.real_name, ase.slack.profile?.real_name, ase.slack.profile?.display_name, ase.zendesk?.name]
    .filter(Boolean);
  const name = await text(app.locator('#ase-name'));
  assert.ok(names.includes(name), `ticket ${ticketId}: #ase-name ${JSON.stringify(name)} is one of ${JSON.stringify(names)}`);

  const handles = [ase.slack.profile?.display_name, ase.slack.name].filter(Boolean).map((h) => `@${h}`);
  const handle = await text(app.locator('#ase-handle'));
  assert.ok(
    handles.some((h) => handle.includes(h)),
    `ticket ${ticketId}: #ase-handle ${JSON.stringify(handle)} shows one of ${JSON.stringify(handles)}`,
  );

  const local = app.locator('#ase-local-time');
  await local.waitFor();
  const localText = await text(local);
  assert.match(localText, /\d{1,2}:\d{2}/, `ticket ${ticketId}: #ase-local-time shows a time`);
  assert.match(localText, /GMT|UTC/, `ticket ${ticketId}: #ase-local-time shows the offset from UTC`);
  // The world pins the clock, so the ASE's local hour is known; the agent's locale (en-US) writes
  // it as the browser's Intl does, so the expectation comes from Intl too ("3:00 PM").
  if (session.world.clock?.start && ase.slack.tz) {
    const parts = new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit', timeZone: ase.slack.tz })
      .formatToParts(new Date(Date.parse(session.world.clock.start)));
    const part = (type) => parts.find((p) => p.type === type)?.value ?? '';
    assert.ok(
      localText.includes(`${part('hour')}:`) && localText.includes(part('dayPeriod')),
      `ticket ${ticketId}: #ase-local-time ${JSON.stringify(localText)} should show about ${part('hour')}:${part('minute')} ${part('dayPeriod')}`,
    );
  }

  const hours = app.locator('#ase-hours');
  await hours.waitFor();
  assert.equal(await hours.getAttribute('data-tone'), tone, `ticket ${ticketId}: #ase-hours data-tone (text: ${await text(hours)})`);

  const presence = app.locator('#ase-presence');
  await presence.waitFor();
  const want = session.world.slack.presence?.[ase.slack.id];
  const presenceText = await text(presence);
  if (want === 'active') assert.equal(presenceText, T.ui.ase.presence_active, `ticket ${ticketId}: #ase-presence`);
  else if (want === 'away') assert.equal(presenceText, T.ui.ase.presence_away, `ticket ${ticketId}: #ase-presence`);
  else assert.ok(presenceText.length > 0, `ticket ${ticketId}: #ase-presence is empty`);
  return ase;
}

test('201: emergency with an available ASE (name, handle, local time, inside hours, presence)', TEST_TIMEOUT, async () => {
  await withPage(session, async (page) => {
    const t = ticket(session.world, 201);
    const app = await openTicket(page, 201, 100);
    const reasons = await assertEmergencyHeader('201')(app);
    const want = expectedPriorityReason(t);
    if (want) assert.ok(reasons.includes(want), `201: reasons ${JSON.stringify(reasons)} include ${JSON.stringify(want)}`);
    await checkAseFound(app, 201, 'good');
    const button = app.locator('#ping-button');
    await button.waitFor();
    assert.equal(await button.isEnabled(), true, '201: #ping-button is enabled');
    assert.equal(await text(button), T.ui.ping.button, '201: #ping-button label');
    assert.equal(await app.locator('#ping-status').count(), 0, '201: nobody pinged yet, so no #ping-status');
    assert.equal(await app.locator('#ping-error').count(), 0, '201: no #ping-error');
    assert.equal(await app.locator('#ase-dnd').count(), 0, '201: Maria has no Do Not Disturb');
  });
});

test('202: emergency with the ASE outside working hours and in Do Not Disturb', TEST_TIMEOUT, async () => {
  await withPage(session, async (page) => {
    const app = await openTicket(page, 202, 100);
    await assertEmergencyHeader('202')(app);
    await checkAseFound(app, 202, 'warn');
    const hours = await text(app.locator('#ase-hours'));
    const outside = T.ui.ase.hours_outside.split('{{')[0].trim();
    assert.ok(hours.startsWith(outside), `202: #ase-hours ${JSON.stringify(hours)} starts with ${JSON.stringify(outside)}`);
    // Kenji's scheduled Do Not Disturb (the world's slack.dnd) holds until 08:00 in Tokyo, 9 hours
    // after the world's clock.
    const dnd = app.locator('#ase-dnd');
    assert.equal(await dnd.getAttribute('data-tone'), 'warn', '202: #ase-dnd tone');
    assert.equal(await text(dnd), fill(T.ui.ase.dnd, { duration: '9 hr' }), '202: #ase-dnd');
    await app.locator('#ping-button').waitFor();
  });
});

test('203: emergency for an organization without an ASE says so', TEST_TIMEOUT, async () => {
  await withPage(session, async (page) => {
    const t = ticket(session.world, 203);
    const org = organization(session.world, t.organization_id);
    const app = await openTicket(page, 203, 100);
    await assertEmergencyHeader('203')(app);
    const card = await aseCard(app);
    assert.equal(card.state, 'none', `203: #ase data-ase (text: ${card.text})`);
    const want = org
      ? fill(T.ui.ase.not_set, { organization: org.name })
      : T.ui.ase.no_organization;
    assert.ok(card.text.includes(want), `203: #ase text ${JSON.stringify(card.text)} includes ${JSON.stringify(want)}`);
    assert.equal(await app.locator('#ase-name').count(), 0, '203: no #ase-name');
  });
});

test('204: a normal ticket is not an emergency', TEST_TIMEOUT, async () => {
  await withPage(session, async (page) => {
    const app = await openTicket(page, 204, 100);
    assert.equal(await phase(app), 'not-emergency', '204: #app data-phase');
    assert.equal(await text(app.locator('#headline')), T.ui.headline.not_emergency, '204: #headline');
    for (const id of ['#reasons li', '#ase', '#ping-button', '#ping-status', '#ping-error']) {
      assert.equal(await app.locator(id).count(), 0, `204: no ${id}`);
    }
  });
});

test('viewer role: assignee 100 is the DRI, 101 is the ASE, 102 is neither', TEST_TIMEOUT, async () => {
  const ase = aseOf(session.world, 201);
  assert.equal(ase?.zendesk?.id, 101, 'world: agent 101 is the ASE of ticket 201');
  assert.equal(ticket(session.world, 201).assignee_id, 100, 'world: agent 100 is the assignee of ticket 201');
  for (const [agent, want] of [
    [100, T.ui.role.dri],
    [101, T.ui.role.ase],
    [102, T.ui.role.other],
  ]) {
    await withPage(session, async (page) => {
      const app = await openTicket(page, 201, agent);
      // Who the ASE is is known once the organization and Slack lookups are done.
      await app.locator('#ase[data-ase="found"]').waitFor();
      const role = app.locator('#viewer-role');
      await role.waitFor();
      assert.equal(await text(role), want, `201 as agent ${agent}: #viewer-role (after #ase is found)`);
    });
  }
});
