// Exactly once across agents (issue 6): two browser contexts as two agents click Ping on the same
// ticket at the same moment; whatever the interleaving, Slack gets one thread root and one mention,
// the ticket one ping note and no claim tag left, and both sidebars show the same ping. The
// world's Zendesk stamps have one-second precision, so both claims can pass their safe update:
// the claim's answer decides. `cargo xtask race --rounds N` runs many more rounds.

import { test, before, after } from 'node:test';
import { TEST_TIMEOUT, launch } from './helpers.mjs';
import { round, assertOnce } from './race.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('two agents clicking Ping together ping once (3 rounds)', TEST_TIMEOUT, async () => {
  for (let i = 1; i <= 3; i++) {
    assertOnce(await round(browser, 201, [100, 102]), `round ${i}`);
  }
});

test('two tabs of one agent clicking together ping once', TEST_TIMEOUT, async () => {
  assertOnce(await round(browser, 201, [100, 100]), 'two tabs');
});
