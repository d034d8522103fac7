// Slack failures are said clearly and can be retried (PRODUCT.md F1, "fail loudly and clearly when
// misconfigured"): the error names the setting to fix, nothing half-done is left behind (no Slack
// message, no note), and Retry after the cause is gone pings exactly once.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TEST_TIMEOUT, world, openTicket, text, aseOf, ticketThreads, channelThreads, pingNotes,
  internalNotes, injectSlackFailure, clearSlackFailures, settled, useSession, appShows,
} from './helpers.mjs';

const session = useSession();

/** Clicks Ping on 201 with `rule` injected; checks the message; clears the rule; Retry succeeds. */
async function failThenRetry(rule, messageChecks, label) {
  const context = await session.browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const page = await context.newPage();
    const app = await openTicket(page, 201, 100);
    const button = app.locator('#ping-button');
    await button.waitFor();
    const count = (threads) => threads.reduce((n, t) => n + 1 + t.replies.length, 0);
    const messagesBefore = count(await channelThreads(session.world));
    const notesBefore = (await internalNotes(session.world, 201)).length;
    await injectSlackFailure(rule);
    await button.click();

    const error = app.locator('#ping-error');
    await appShows(app, '#ping-error', label);
    // The sentence alone: the raw Slack error code sits in the closed Details and must not be
    // what makes these checks pass.
    const message = await text(error.locator('.message-text'));
    for (const [re, what] of messageChecks) {
      assert.match(message, re, `${label}: #ping-error sentence ${JSON.stringify(message)} ${what}`);
    }
    assert.ok(!/_/.test(message), `${label}: no raw error code in the sentence ${JSON.stringify(message)}`);
    const retry = app.locator('#ping-error #retry-button');
    await retry.waitFor();
    assert.equal(await retry.isEnabled(), true, `${label}: #retry-button is enabled`);
    await settled();
    assert.deepEqual(await ticketThreads(session.world, 201), [], `${label}: no Slack message exists for ticket 201`);
    assert.deepEqual(await pingNotes(session.world, 201), [], `${label}: no ping note exists on ticket 201`);
    assert.equal(count(await channelThreads(session.world)), messagesBefore, `${label}: no message at all was added to the channel`);
    assert.equal((await internalNotes(session.world, 201)).length, notesBefore, `${label}: no internal note at all was added`);

    await clearSlackFailures();
    await retry.click();
    await app.locator('#ping-status #thread-link').waitFor();
    assert.equal(await app.locator('#ping-error').count(), 0, `${label}: the error is gone after a successful retry`);
    await settled();
    const threads = await ticketThreads(session.world, 201);
    assert.equal(threads.length, 1, `${label}: one thread root after Retry`);
    const ase = aseOf(session.world, 201);
    const mentions = threads[0].replies.filter((m) => m.text.includes(`<@${ase.slack.id}>`));
    assert.equal(threads[0].replies.length, 1, `${label}: one reply after Retry`);
    assert.equal(mentions.length, 1, `${label}: one mention of the ASE after Retry`);
    assert.equal((await pingNotes(session.world, 201)).length, 1, `${label}: one ping note after Retry`);
  } finally {
    await context.close();
  }
}

// count: the rule outlives any automatic retry the app might make, so the message must show.
const PERSISTENT = 1000;

test('channel_not_found: the message names the channel setting, Retry works after the fix', TEST_TIMEOUT, async () => {
  await failThenRetry(
    { method: 'chat.postMessage', error: 'channel_not_found', count: PERSISTENT },
    [
      [/channel C0/i, 'names the channel'],
      [/Emergency Slack channel ID/, 'names the channel setting by its label'],
    ],
    'channel_not_found',
  );
});

test('invalid_auth: the message names the token setting, Retry works after the fix', TEST_TIMEOUT, async () => {
  await failThenRetry(
    { method: 'chat.postMessage', error: 'invalid_auth', count: PERSISTENT },
    [[/Slack bot token/, 'names the token setting by its label']],
    'invalid_auth',
  );
});

test('429 with Retry-After: the message says Slack is rate limiting', TEST_TIMEOUT, async () => {
  await failThenRetry(
    { method: 'chat.postMessage', status: 429, retry_after: 2, count: PERSISTENT },
    [[/rate-limiting; try again in \d+ seconds?/, 'says Slack is rate limiting and when to retry']],
    '429',
  );
});
