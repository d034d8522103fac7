// Accessibility: axe-core finds no serious or critical violation in the app (and, separately, in
// the local host page around it) on ticket 201 before and after the ping, 203 and 204.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import {
  TEST_TIMEOUT, openTicket, appFrame, appShows, settled, injectSlackFailure, useSession, withPage,
} from './helpers.mjs';

const AXE = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url));

const session = useSession();

/** Runs axe in a frame and returns its serious and critical violations, one line each. */
async function seriousViolations(frame) {
  await frame.addScriptTag({ path: AXE });
  const violations = await frame.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id} (${v.help}): ${v.nodes.join(' | ')}`);
}

async function check(page, label) {
  const app = await seriousViolations(await appFrame(page));
  const host = await seriousViolations(page.mainFrame());
  // Both are reported in one assertion, so a failure shows whose page it is.
  assert.deepEqual(
    { app, host },
    { app: [], host: [] },
    `${label}: serious/critical axe violations (app = the iframe, host = zhost's page)`,
  );
}

test('201 before and after the ping', TEST_TIMEOUT, async () => {
  await withPage(session, async (page) => {
    const app = await openTicket(page, 201, 100);
    await appShows(app, '#ase:not([data-ase="loading"])');
    await appShows(app, '#ping-button');
    await settled();
    await check(page, '201 before the ping');
    await app.locator('#ping-button').click();
    await appShows(app, '#ping-status #thread-link');
    await settled();
    await check(page, '201 after the ping');
  });
});

test('201 with a Slack error shown', TEST_TIMEOUT, async () => {
  await withPage(session, async (page) => {
    const app = await openTicket(page, 201, 100);
    await appShows(app, '#ping-button');
    await injectSlackFailure({ method: 'chat.postMessage', error: 'channel_not_found', count: 1000 });
    await app.locator('#ping-button').click();
    await appShows(app, '#ping-error #retry-button');
    await check(page, '201 with #ping-error');
  });
});

for (const id of [203, 204]) {
  test(`${id}`, TEST_TIMEOUT, async () => {
    await withPage(session, async (page) => {
      const app = await openTicket(page, id, 100);
      if (id === 203) await appShows(app, '#ase:not([data-ase="loading"])');
      await settled();
      await check(page, `${id}`);
    });
  });
}
