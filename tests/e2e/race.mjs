// Two agents click "Ping ASE in Slack" on one ticket at the same moment, in two browser contexts
// (two sessions, as two people or two machines), and the outcome is read back from Slack's and
// Zendesk's own APIs: thread roots, mentions of the ASE, ping notes, and claim tags left behind.
//
// Used by race.test.mjs (a few rounds in every `cargo xtask test`) and, as a command, by
// `cargo xtask race --rounds N`, which prints one line per round and a JSON summary.

import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import {
  launch, reset, world, openTicket, appShows, ticketThreads, pingNotes, zendesk, aseOf, T,
} from './helpers.mjs';

/** What one round left behind for `ticketId`. */
export async function outcome(w, ticketId) {
  const ase = aseOf(w, ticketId);
  const threads = await ticketThreads(w, ticketId);
  const mentions = threads
    .flatMap((r) => [r, ...r.replies])
    .filter((m) => String(m.text).includes(`<@${ase.slack.id}>`)).length;
  const notes = (await pingNotes(w, ticketId)).length;
  const t = await zendesk(w, `/api/v2/tickets/${ticketId}`);
  const claims = (t.ticket.tags ?? []).filter((tag) => tag.startsWith('ase_ping_claim_')).length;
  return { roots: threads.length, mentions, notes, claims };
}

/**
 * One round on a fresh world: agents `agents[0]` and `agents[1]` open `ticketId` in their own
 * browser contexts, both click Ping within the same moment, and both sidebars must end showing
 * the ping. Returns the outcome and how long until both showed it.
 */
export async function round(browser, ticketId, agents) {
  await reset();
  const w = await world();
  const contexts = await Promise.all(agents.map(() => browser.newContext({ viewport: { width: 1400, height: 900 } })));
  try {
    const pages = await Promise.all(contexts.map((c) => c.newPage()));
    // The pages open one after the other; the clicks below are what must coincide.
    const apps = [];
    for (const [i, p] of pages.entries()) apps.push(await openTicket(p, ticketId, agents[i]));
    const buttons = apps.map((app) => app.locator('#ping-button:not([disabled])'));
    await Promise.all(buttons.map((b) => b.waitFor()));
    const start = Date.now();
    await Promise.all(buttons.map((b) => b.click()));
    await Promise.all(apps.map((app, i) => appShows(app, '#ping-status', `agent ${agents[i]}`)));
    const ms = Date.now() - start;
    const texts = await Promise.all(apps.map((app) => app.locator('#ping-status').textContent()));
    return { ...(await outcome(w, ticketId)), ms, texts };
  } finally {
    await Promise.all(contexts.map((c) => c.close()));
  }
}

/** Asserts a round pinged exactly once and left no claim. */
export function assertOnce(r, label) {
  assert.deepEqual(
    { roots: r.roots, mentions: r.mentions, notes: r.notes, claims: r.claims },
    { roots: 1, mentions: 1, notes: 1, claims: 0 },
    `${label}: ${JSON.stringify(r)}`,
  );
  assert.equal(r.texts[0], r.texts[1], `${label}: both sidebars show the one ping`);
  assert.ok(r.texts[0].startsWith(T.ui.ping.done.split('{{')[0]), `${label}: ${r.texts[0]}`);
}

// `node tests/e2e/race.mjs` (with ZHOST_URL and ROUNDS): the command behind `cargo xtask race`.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rounds = Number(process.env.ROUNDS ?? '50');
  const ticketId = Number(process.env.TICKET ?? '201');
  const browser = await launch();
  const results = [];
  try {
    for (let i = 1; i <= rounds; i++) {
      const r = await round(browser, ticketId, [100, 102]);
      results.push(r);
      const ok = r.roots === 1 && r.mentions === 1 && r.notes === 1 && r.claims === 0 && r.texts[0] === r.texts[1];
      console.log(`round ${i}: roots ${r.roots}, mentions ${r.mentions}, notes ${r.notes}, claims left ${r.claims}, both done in ${r.ms} ms${ok ? '' : '  <-- NOT EXACTLY ONCE'}`);
    }
  } finally {
    await browser.close();
  }
  const sum = (k) => results.reduce((a, r) => a + r[k], 0);
  const bad = results.filter((r) => !(r.roots === 1 && r.mentions === 1 && r.notes === 1 && r.claims === 0 && r.texts[0] === r.texts[1])).length;
  const ms = results.map((r) => r.ms).sort((a, b) => a - b);
  const summary = {
    rounds, ticket: ticketId, roots: sum('roots'), mentions: sum('mentions'), notes: sum('notes'),
    claims_left: sum('claims'), rounds_not_exactly_once: bad,
    both_done_ms: { median: ms[Math.floor(ms.length / 2)], max: ms[ms.length - 1] },
  };
  console.log(JSON.stringify(summary));
  process.exit(bad === 0 ? 0 : 1);
}
