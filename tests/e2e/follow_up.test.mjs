// The ASE's follow-up to the customer (issue 8, C2): Maria, Globex's ASE, opens Globex's
// emergency 201 and puts a "next steps" draft into the reply editor with one click. The draft
// lands once (a double click, and a click again after the app restarted, included), is never
// sent, names Maria and the request, and holds none of the ticket's internal text. Olivia, on
// call, is not offered it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  T, TEST_TIMEOUT, fill, openTicket, text, useSession, withPage, appShows, internalNotes, organization,
  ticket, userById, zendesk, proxied, settled, appFrame,
} from './helpers.mjs';

const session = useSession();
const MARIA = 101;
const OLIVIA = 100;

test('the ASE drafts one follow-up into the reply editor; nothing is sent, nothing internal is in it', TEST_TIMEOUT, async () => {
  const w = session.world;
  const before = (await zendesk(w, '/api/v2/tickets/201/comments')).comments.length;
  await withPage(session, async (page) => {
    const app = await openTicket(page, 201, MARIA);
    const button = app.locator('#follow-up-button');
    await button.waitFor();
    assert.equal(await text(button), T.ui.follow_up.button);
    await button.dblclick();
    await appShows(app, '#follow-up-status', 'the follow-up status');
    assert.equal(await text(app.locator('#follow-up-status')), T.ui.follow_up.drafted);
    assert.equal(await app.locator('#follow-up-button').count(), 0, 'no second draft offered');

    const editor = await page.locator('#reply-editor').inputValue();
    const expected = fill(T.ui.follow_up.draft, { name: userById(w, MARIA).name, id: '201' });
    assert.equal(editor, expected, 'the editor holds the draft exactly once');

    // The app starts again (the sidebar reloaded; the editor keeps its draft): its button is
    // back, and a click finds the draft already there and adds nothing.
    await (await appFrame(page)).evaluate(() => location.reload());
    const again = page.frameLocator('#app-frame');
    await again.locator('#follow-up-button').click();
    await appShows(again, '#follow-up-status', 'the follow-up status after the restart');
    assert.equal(await page.locator('#reply-editor').inputValue(), expected, 'still once');

    // Nothing internal: no line of an internal note, no organization note or field, no
    // machine line.
    const internal = (await internalNotes(w, 201)).flatMap((c) => String(c.body).split('\n'));
    const org = organization(w, ticket(w, 201).organization_id);
    const secret = [...internal, org.notes, org.details, ...Object.values(org.organization_fields ?? {})]
      .map((s) => String(s ?? '').trim())
      .filter((s) => s.length > 6);
    for (const s of secret) assert.ok(!editor.includes(s), `internal text ${JSON.stringify(s)} in the draft`);
    assert.ok(!editor.includes('ase-emergency-assist'), 'no machine line');
  });
  await settled();
  assert.equal((await zendesk(w, '/api/v2/tickets/201/comments')).comments.length, before, 'nothing was sent');
  const writes = (await proxied()).filter((r) => r.method !== 'GET' && !String(r.url).includes('auth.test'));
  assert.deepEqual(writes.map((r) => `${r.method} ${r.url}`), [], 'the follow-up writes nothing');
});

test('on call (not the ASE) is not offered the follow-up', TEST_TIMEOUT, async () => {
  await withPage(session, async (page) => {
    const app = await openTicket(page, 201, OLIVIA);
    await appShows(app, '#ase-presence', 'the ASE card');
    await appShows(app, '#ping-button', 'the ping button');
    assert.equal(await app.locator('#follow-up-button, #follow-up-status').count(), 0);
  });
});
