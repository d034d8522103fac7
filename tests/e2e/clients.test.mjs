// The emulators agree with real clients (issue 6): the official Slack SDK for Node
// (`@slack/web-api`) and a widely used Zendesk client (`node-zendesk`), pointed at zhost, get what
// the real APIs document: pagination they can follow to the end, errors they can read.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebClient, ErrorCode } from '@slack/web-api';
import zendesk from 'node-zendesk';
import { TEST_TIMEOUT, ZHOST, useSession } from './helpers.mjs';

const session = useSession();

function slackClient(options = {}) {
  return new WebClient(session.world.settings.slack_bot_token, {
    slackApiUrl: `${ZHOST}/slack/api/`,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    ...options,
  });
}

function zendeskClient() {
  const agent = session.world.zendesk.users.find((u) => u.id === session.world.agents[0]);
  return zendesk.createClient({ username: agent.email, token: 'x', endpointUri: `${ZHOST}/api/v2` });
}

test('@slack/web-api: posts with metadata, pages history to the end, reads a thread', TEST_TIMEOUT, async () => {
  const slack = slackClient();
  const me = await slack.auth.test();
  assert.equal(me.ok, true);
  assert.ok(me.bot_id && me.user_id.startsWith('U'));
  const channel = session.world.settings.slack_channel_id;
  const root = await slack.chat.postMessage({
    channel,
    text: 'conformance root',
    metadata: { event_type: 'conformance', event_payload: { n: 1 } },
  });
  const reply = await slack.chat.postMessage({ channel, text: 'a reply', thread_ts: root.ts });
  assert.equal(reply.message.thread_ts, root.ts);
  // The SDK's own paginator follows response_metadata.next_cursor with pages of 2.
  const seen = [];
  for await (const page of slack.paginate('conversations.history', { channel, limit: 2, include_all_metadata: true })) {
    seen.push(...page.messages);
  }
  const all = await slack.conversations.history({ channel, limit: 999 });
  assert.equal(seen.length, all.messages.length, 'every page read');
  const mine = seen.find((m) => m.ts === root.ts);
  assert.equal(mine.metadata.event_type, 'conformance');
  assert.equal(mine.reply_count, 1);
  assert.deepEqual(mine.reply_users, [me.user_id], 'reply_users hold user IDs');
  const thread = await slack.conversations.replies({ channel, ts: root.ts });
  assert.deepEqual(thread.messages.map((m) => m.ts), [root.ts, reply.ts]);
});

test('@slack/web-api: Slack errors arrive as the SDK documents them', TEST_TIMEOUT, async () => {
  const slack = slackClient();
  await assert.rejects(
    slack.chat.postMessage({ channel: 'C0NOSUCHCHAN', text: 'x' }),
    (e) => e.code === ErrorCode.PlatformError && e.data.error === 'channel_not_found',
  );
  await assert.rejects(
    slack.apiCall('chat.nonsense', {}),
    (e) => e.code === ErrorCode.HTTPError ? e.statusCode === 404 : e.data?.error === 'unknown_method',
  );
  // Rate limits: the SDK turns the 429 into its rate-limited error with Retry-After.
  let limited;
  for (let i = 0; i < 8 && !limited; i++) {
    try {
      await slack.chat.postMessage({ channel: session.world.settings.slack_channel_id, text: `burst ${i}` });
    } catch (e) {
      limited = e;
    }
  }
  assert.equal(limited?.code, ErrorCode.RateLimitedError, `${limited}`);
  assert.ok(limited.retryAfter >= 1);
});

test('node-zendesk: reads a ticket, writes a note, pages comments to the end', TEST_TIMEOUT, async () => {
  const client = zendeskClient();
  const ticket = await client.tickets.show(201);
  assert.equal(ticket.result.id, 201);
  for (let i = 0; i < 105; i++) {
    await client.tickets.update(201, { ticket: { comment: { body: `update ${i}`, public: false } } });
  }
  // getAll follows the cursor links (absolute, on the host called) to the last page.
  const comments = await client.tickets.getComments(201);
  const bodies = comments.map((c) => c.body);
  assert.ok(bodies.includes('update 0') && bodies.includes('update 104'), `${bodies.length} comments`);
  assert.ok(comments.length > 100, `${comments.length} comments over more than one page`);
});
