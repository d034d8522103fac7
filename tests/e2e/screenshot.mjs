// Saves a screenshot of ticket 201 in the local Zendesk host for the README (docs/sidebar.png).
// Run by `cargo xtask screenshot`, which builds the app and starts zhost (ZHOST_URL, SCREENSHOT_OUT).

import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { launch, reset, openTicket, settled, ROOT } from './helpers.mjs';

const out = resolve(process.env.SCREENSHOT_OUT ?? `${ROOT}docs/sidebar.png`);
const browser = await launch();
try {
  await reset();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const app = await openTicket(page, 201, 100);
  await app.locator('#ase:not([data-ase="loading"])').waitFor();
  await app.locator('#ase-presence').waitFor();
  await app.locator('#ping-button').waitFor();
  await settled();
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
}
