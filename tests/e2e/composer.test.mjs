// The prep-note composer (issue 7, N3): Maria, Globex's ASE, writes a prep note on Globex's
// ordinary ticket 204; Olivia, on call, finds it on top of Globex's emergency 201 and in the
// Slack thread's root. Her draft survives a reload, a double-clicked Save writes one note, and
// a save whose answer was lost is read back, never written twice. Hostile text stays text.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  T, TEST_TIMEOUT, openTicket, text, useSession, withPage, appShows, internalNotes, ticket,
  ticketThreads, injectFault, zendesk,
} from './helpers.mjs';

const session = useSession();
const MARIA = 101;
const OLIVIA = 100;
const HOSTILE = 'DB <b>migration</b> & *cutover* <script>alert(1)</script>';

/** Notes of ticket `id` that the composer wrote (its machine line). */
async function prepNotes(w, id) {
  return (await internalNotes(w, id)).filter((c) => String(c.body).includes('ase-emergency-assist:v1 prep'));
}

/** Opens the form on ticket 204 as Maria and fills it. */
async function fillForm(app, values) {
  await appShows(app, '#prep-composer', 'the prep-note form');
  if ((await app.locator('#prep-composer').getAttribute('open')) === null) await app.locator('#prep-composer-summary').click();
  for (const [name, value] of Object.entries(values)) await app.locator(`#prep-${name}`).fill(value);
}

const NOTE = {
  task: HOSTILE,
  start: '2026-11-26T13:30',
  end: '2026-11-26T15:30',
  zone: 'UTC',
  planned: 'Move the checkout DB to the new cluster.\nRead-only for 10 minutes.',
  problems: 'Replica lag > 30 s; <img src=x onerror=alert(2)>',
  solutions: 'Fail back: `cutover rollback`.',
  context: 'Runbook https://wiki.globex.example/db/cutover',
  contacts: 'Globex DBA: +1 555 0100',
};

test('a prep note written in 204 shows on top of Globex\'s emergency 201 and in the Slack root', TEST_TIMEOUT, async () => {
  const w = session.world;
  await withPage(session, async (page) => {
    const app = await openTicket(page, 204, MARIA);
    await fillForm(app, NOTE);
    await app.locator('#prep-preview-button').click();
    await appShows(app, '#prep-preview:not([hidden])', 'the preview');
    const preview = await app.locator('#prep-preview').textContent();
    assert.ok(preview.startsWith(`Prep note (ASE): ${HOSTILE}`), preview);
    assert.equal(await app.locator('#prep-preview img, #prep-preview script, #prep-preview b').count(), 0, 'the preview is text');
    // A double click: one note.
    await app.locator('#prep-save-button').dblclick();
    await appShows(app, `#prep-status:has-text("${T.ui.compose.saved}")`, 'the saved status');
    assert.equal(await app.locator('#prep-task').inputValue(), '', 'the form starts a new draft');
  });
  const notes = await prepNotes(w, 204);
  assert.equal(notes.length, 1, 'one note');
  assert.equal(notes[0].author_id, MARIA);
  assert.ok(notes[0].body.includes(HOSTILE), notes[0].body);
  const after = await zendesk(w, '/api/v2/tickets/204');
  assert.ok(after.ticket.tags.includes('ase_prep_note'), `tags: ${after.ticket.tags}`);

  await withPage(session, async (page) => {
    const app = await openTicket(page, 201, OLIVIA);
    await appShows(app, '#prep-notes .context-item.now', 'the note planned now');
    const top = app.locator('#prep-notes .context-item').first();
    assert.ok((await top.getAttribute('class')).includes('now'));
    const label = await text(top.locator('.context-label'));
    assert.ok(label.includes(HOSTILE), label);
    assert.equal(await app.locator('#prep-notes script, #prep-notes img, #prep-notes b').count(), 0, 'notes are text');
    assert.equal(await text(top.locator('a.link').first()), 'In ticket #204');
    await app.locator('#ping-button:not([disabled])').click();
    await appShows(app, '#ping-status #thread-link', 'the ping');
  });
  const [root] = await ticketThreads(w, 201);
  assert.ok(root, 'a thread root');
  const rootText = root.text;
  assert.ok(rootText.includes('DB &lt;b&gt;migration&lt;/b&gt; &amp;'), `escaped task in the root: ${rootText}`);
  assert.ok(rootText.includes('/tickets/204'), `the note's ticket is linked: ${rootText}`);
  assert.ok(!rootText.includes('<script>') && !rootText.includes('<img'), rootText);
});

test('a prep-note draft survives a reload and a closed form', TEST_TIMEOUT, async () => {
  await withPage(session, async (page) => {
    let app = await openTicket(page, 204, MARIA);
    await fillForm(app, { task: 'Index rebuild', planned: 'Rebuild the search index.' });
    await app.locator('#prep-composer-summary').click();
    await page.reload();
    app = page.frameLocator('#app-frame');
    await appShows(app, '#prep-composer', 'the form after a reload');
    await app.locator('#prep-composer-summary').click();
    assert.equal(await app.locator('#prep-task').inputValue(), 'Index rebuild');
    assert.equal(await app.locator('#prep-planned').inputValue(), 'Rebuild the search index.');
    assert.equal(await app.locator('#prep-zone').inputValue() !== '', true, 'a zone by default');
    // Saving an incomplete draft says what is missing, and keeps it.
    await app.locator('#prep-save-button').click();
    await appShows(app, '#prep-invalid li', 'why it cannot be saved');
    const problems = await app.locator('#prep-invalid li').allTextContents();
    assert.ok(problems.includes(T.ui.prep.invalid.window), JSON.stringify(problems));
    assert.equal(await app.locator('#prep-task').inputValue(), 'Index rebuild');
  });
  assert.equal((await prepNotes(session.world, 204)).length, 0, 'nothing saved');
});

test('a save whose answer was lost is read back, not written twice', TEST_TIMEOUT, async () => {
  const w = session.world;
  // The note lands; its answer fails.
  await injectFault({ route: 'PUT /api/v2/tickets/*', status: 502, after: true });
  await withPage(session, async (page) => {
    const app = await openTicket(page, 204, MARIA);
    await fillForm(app, { ...NOTE, task: 'Cutover' });
    await app.locator('#prep-save-button').click();
    await appShows(app, '#prep-status .message-text', 'the failed save');
    assert.notEqual(await text(app.locator('#prep-status .message-text')), T.ui.compose.saved);
    assert.equal(await app.locator('#prep-task').inputValue(), 'Cutover', 'the draft stays');
    // Again: the note is found, not written again.
    await app.locator('#prep-save-button').click();
    await appShows(app, `#prep-status:has-text("${T.ui.compose.saved}")`, 'the saved status');
  });
  assert.equal((await prepNotes(w, 204)).length, 1, 'one note');
  assert.equal(ticket(w, 204).id, 204);
});

test('an emergency opened on a draft whose save landed starts as always, and finds the note', TEST_TIMEOUT, async () => {
  const w = session.world;
  await injectFault({ route: 'PUT /api/v2/tickets/*', status: 502, after: true });
  await withPage(session, async (page) => {
    let app = await openTicket(page, 201, MARIA);
    await fillForm(app, { ...NOTE, task: 'Failover drill' });
    await app.locator('#prep-save-button').click();
    await appShows(app, '#prep-status .message-text', 'the failed save');
    // Reloaded: the start-up reads go out as ever, and the kept draft's save is found.
    await page.reload();
    app = page.frameLocator('#app-frame');
    await appShows(app, '#ase[data-ase="found"]', 'the ASE card after the reload');
    // Maria is the ASE: no Ping button for her; her card settles and the prep notes show.
    await appShows(app, '#ase-presence', 'the settled ASE card after the reload');
    await appShows(app, '#prep-notes', 'the prep notes after the reload');
    await app.locator('#prep-composer-summary').click();
    await appShows(app, `#prep-status:has-text("${T.ui.compose.saved}")`, 'the draft found saved');
    assert.equal(await app.locator('#prep-task').inputValue(), '', 'the saved draft goes');
  });
  assert.equal((await prepNotes(w, 201)).length, 1, 'one note');
});

test('the words cannot change while they are being saved', TEST_TIMEOUT, async () => {
  await injectFault({ route: 'PUT /api/v2/tickets/*', delay_ms: 3000 });
  await withPage(session, async (page) => {
    const app = await openTicket(page, 204, MARIA);
    await fillForm(app, { ...NOTE, task: 'Slow save' });
    await app.locator('#prep-save-button').click();
    await appShows(app, '#prep-save-button[disabled]', 'Save disabled while saving');
    assert.equal(await app.locator('#prep-contacts').evaluate((e) => e.readOnly), true, 'read-only while saving');
    await appShows(app, `#prep-status:has-text("${T.ui.compose.saved}")`, 'the saved status');
    assert.equal(await app.locator('#prep-contacts').evaluate((e) => e.readOnly), false, 'editable again');
  });
});
