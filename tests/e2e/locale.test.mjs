// The sidebar speaks the agent's language (ZAF `currentUser.locale`): the demo world's agents
// 104 (German) and 105 (Hebrew) see the translated words, with dates, times and durations from
// the browser's Intl; Hebrew lays the sidebar out right to left. Only the agent's strings file is
// fetched, once; an English agent fetches none. Slack messages stay English (a shared channel).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  T, TEST_TIMEOUT, openTicket, text, ticketThreads, settled, useSession, fill,
} from './helpers.mjs';

const session = useSession();
const load = (locale) => JSON.parse(readFileSync(new URL(`../../translations/${locale}.json`, import.meta.url), 'utf8'));

/** Opens `ticketId` as `agentId` and records every strings file the app's frame fetches;
 * `prepare(context)` may route requests first. */
async function openAs(ticketId, agentId, body, prepare = async () => {}) {
  const context = await session.browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    await prepare(context);
    const page = await context.newPage();
    const fetched = [];
    page.on('request', (r) => {
      if (/\/i18n\/[^/]+\.json(\?|$)/.test(r.url())) fetched.push(new URL(r.url()).pathname.split('/').pop());
    });
    const app = await openTicket(page, ticketId, agentId);
    await app.locator('#ase:not([data-ase="loading"])').waitFor();
    await body(page, app, fetched);
  } finally {
    await context.close();
  }
}

test('a German agent reads the sidebar in German, with one strings request', TEST_TIMEOUT, async () => {
  const de = load('de');
  await openAs(201, 104, async (page, app, fetched) => {
    assert.equal(await text(app.locator('#headline')), de.ui.headline.emergency);
    assert.equal(await text(app.locator('#ping-button')), de.ui.ping.button);
    const reasons = await app.locator('#reasons li').allTextContents();
    const urgent = fill(de.ui.reason.priority, { priority: de.ui.priority.urgent });
    assert.ok(reasons.includes(urgent), `#reasons ${JSON.stringify(reasons)} include ${JSON.stringify(urgent)}`);
    const role = await text(app.locator('#viewer-role'));
    assert.ok(Object.values(de.ui.role).includes(role), `#viewer-role ${JSON.stringify(role)} is a German role line`);
    const hours = await text(app.locator('#ase-hours'));
    const prefix = de.ui.ase.hours_outside.split('{{')[0].trim();
    const inside = de.ui.ase.hours_inside.split('{{')[0].trim();
    assert.ok(hours.startsWith(prefix) || hours.startsWith(inside), `#ase-hours ${JSON.stringify(hours)} is German`);
    // Dates, times and durations in German too: Maria is in Madrid, where it is Thursday 15:00
    // on the demo clock (a 24-hour clock and German weekday and unit names).
    const local = await text(app.locator('#ase-local-time'));
    assert.match(local, /^Do\.? 15:\d\d /, `#ase-local-time ${JSON.stringify(local)} is German`);
    assert.match(hours, /Std\.|Min\./, `#ase-hours ${JSON.stringify(hours)} has German units`);
    const lang = await app.locator('html').getAttribute('lang');
    assert.equal(lang, de.meta.lang);
    assert.equal(await app.locator('html').getAttribute('dir'), 'ltr');
    assert.deepEqual(fetched, ['de.json'], 'exactly one strings file, the agent\'s');

    // The ping works in German, and what it writes to Slack stays English.
    await app.locator('#ping-button').click();
    await app.locator('#ping-status #thread-link').waitFor();
    const status = await text(app.locator('#ping-status'));
    const pingedBy = de.ui.ping.done.split('{{')[0].trim();
    assert.ok(status.startsWith(pingedBy), `#ping-status ${JSON.stringify(status)} starts with ${JSON.stringify(pingedBy)}`);
    await settled();
    const [root] = await ticketThreads(session.world, 201);
    assert.ok(root, 'the thread exists');
    assert.ok(root.text.includes('Emergency'), `the root is English: ${root.text}`);
  });
});

test('a Hebrew agent reads the sidebar right to left', TEST_TIMEOUT, async () => {
  const he = load('he');
  await openAs(202, 105, async (page, app, fetched) => {
    assert.equal(await text(app.locator('#headline')), he.ui.headline.emergency);
    assert.equal(await app.locator('html').getAttribute('dir'), 'rtl');
    assert.equal(await app.locator('html').getAttribute('lang'), he.meta.lang);
    const direction = await app.locator('#app').evaluate((el) => getComputedStyle(el).direction);
    assert.equal(direction, 'rtl', 'the layout is mirrored');
    assert.deepEqual(fetched, ['he.json']);
  });
});

test('when the strings file fails, the German agent reads English words and formats', TEST_TIMEOUT, async () => {
  await openAs(
    201,
    104,
    async (page, app, fetched) => {
      assert.deepEqual(fetched, ['de.json'], 'the file was asked for');
      assert.equal(await text(app.locator('#headline')), T.ui.headline.emergency);
      assert.equal(await text(app.locator('#ping-button')), T.ui.ping.button);
      assert.equal(await app.locator('html').getAttribute('lang'), 'en');
      const local = await text(app.locator('#ase-local-time'));
      assert.match(local, /^Thu 3:\d\d PM /, `#ase-local-time ${JSON.stringify(local)} is English, not German`);
    },
    (context) => context.route('**/i18n/*.json', (route) => route.fulfill({ status: 404, body: 'gone' })),
  );
});

test('an English agent fetches no strings file', TEST_TIMEOUT, async () => {
  await openAs(201, 100, async (page, app, fetched) => {
    assert.equal(await text(app.locator('#headline')), T.ui.headline.emergency);
    assert.equal(await app.locator('html').getAttribute('dir'), 'ltr');
    assert.deepEqual(fetched, [], 'English is compiled in');
  });
});

test('a technical detail stays behind "Details", in the agent\'s language', TEST_TIMEOUT, async () => {
  const de = load('de');
  const { injectSlackFailure, clearSlackFailures } = await import('./helpers.mjs');
  await injectSlackFailure({ method: 'chat.postMessage', error: 'some_new_error', count: 1000 });
  try {
    await openAs(201, 104, async (page, app) => {
      await app.locator('#ping-button').click();
      const error = app.locator('#ping-error');
      await error.waitFor();
      const sentence = await text(error.locator('.message-text'));
      assert.equal(sentence, fill(de.ui.ping.failed, { reason: de.problems.slack.other }));
      assert.ok(!sentence.includes('some_new_error'), 'the raw error code is not in the sentence');
      const details = error.locator('details');
      assert.equal(await text(details.locator('summary')), de.ui.details);
      assert.equal(await details.evaluate((d) => d.open), false, 'the details start closed');
      assert.match(await text(details.locator('.detail')), /chat\.postMessage: some_new_error/);
    });
  } finally {
    await clearSlackFailures();
  }
});
