// What-if weights (issue 12): moving a domain weight re-weights the index in wasm from the domain
// values the page already holds. The map's colours, the left-behind count and the bivariate counts
// follow with no network request; the URL keeps the weights and a reload restores them.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  launchBrowser, startServer, stopServer, waitForFirstPaint, waitForIdle,
} from './helpers.mjs';

const DESKTOP = { width: 1280, height: 900 };

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stopServer(server);
});

/** Opens the app, recording every request. */
async function open(query) {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  const requests = [];
  // The browser asks for the favicon whenever it likes: not a request of the app's.
  page.on('request', (r) => { if (!/favicon/.test(r.url())) requests.push(r.url()); });
  await page.goto(`${server.base}/${query}`);
  await waitForFirstPaint(page);
  return { context, page, requests };
}

/** Opens the what-if panel and waits until the domains of each index are fetched and transformed. */
async function openWeights(page, ...indices) {
  await page.locator('details.what-if > summary').click();
  for (const index of indices) {
    await page.locator(`fieldset.weights[data-index=${index}][data-ready=true]`).waitFor({ timeout: 60_000 });
  }
}

/** The decile class MapLibre holds (feature state `d`) for the first `n` lsoa21 features. */
function classes(page, n = 400) {
  return page.evaluate((count) => {
    const map = window.cnimap.map;
    const out = [];
    for (let id = 0; id < count; id++) {
      out.push((map.getFeatureState({ source: 'lsoa21', sourceLayer: 'lsoa21', id }) || {}).d ?? null);
    }
    return out;
  }, n);
}

/** Waits until the what-if status line reports the re-weighted index. */
async function waitRebuilt(page, index) {
  const status = page.locator(`fieldset.weights[data-index=${index}] .weights-status`);
  await page.waitForFunction(
    (sel) => /moved into|The same/.test(document.querySelector(sel)?.textContent || ''),
    `fieldset.weights[data-index=${index}] .weights-status`,
    { timeout: 60_000 },
  );
  return { text: await status.textContent(), ms: Number(await status.getAttribute('data-ms')) };
}

describe('what-if weights', () => {
  test('a slider re-colours the map with no request, and the URL keeps the weights', async () => {
    const { context, page, requests } = await open('?i=imd2025');
    await openWeights(page, 'imd2025');
    await waitForIdle(page);
    const before = await classes(page);
    const seen = requests.length;

    const slider = page.locator('#w-imd2025-income');
    await slider.fill('80');
    const { text, ms } = await waitRebuilt(page, 'imd2025');
    await waitForIdle(page);
    console.log(`re-weighted IMD 2025 (income 80%) in ${ms.toFixed(1)} ms in wasm: ${text}`);
    assert.match(text, /moved into the most deprived 10%/);
    assert.deepEqual(requests.slice(seen), [], 'moving a slider makes no request');

    // Income at 80%: the map now shows the income-heavy index. Some areas change decile.
    await page.waitForFunction(
      (b) => {
        const map = window.cnimap.map;
        let changed = 0;
        for (let id = 0; id < b.length; id++) {
          const d = (map.getFeatureState({ source: 'lsoa21', sourceLayer: 'lsoa21', id }) || {}).d ?? null;
          if (d !== b[id]) changed += 1;
        }
        return changed > 0;
      },
      before,
      { timeout: 60_000 },
    );
    const after = await classes(page);
    const changed = after.filter((d, i) => d !== before[i]).length;
    assert.ok(changed > 20, `areas changed decile (${changed} of ${before.length})`);
    // The legend names what the map shows: the user's index, not the published one.
    assert.match(await page.locator('.legend-title').first().textContent(), /\(your weights\)$/);

    // The number shows the slider's share, the others share the rest, all adding to 100.
    const numbers = await page.locator('fieldset.weights[data-index=imd2025] .weight-number').evaluateAll(
      (els) => els.map((e) => Number(e.value)),
    );
    assert.equal(numbers[0], 80);
    assert.ok(Math.abs(numbers.reduce((a, b) => a + b, 0) - 100) < 0.5, `weights add to 100: ${numbers}`);

    // The URL holds the weights in the words of `cnimap reweight --weights`.
    await page.waitForFunction(() => location.search.includes('w.imd2025='));
    const url = new URL(page.url());
    assert.match(url.searchParams.get('w.imd2025') || '', /^income=80,employment=/);

    // A reload (or a shared link) opens the same re-weighted map.
    const reopened = await open(url.search);
    await waitRebuilt(reopened.page, 'imd2025');
    await waitForIdle(reopened.page);
    await reopened.page.waitForFunction(
      (a) => {
        const map = window.cnimap.map;
        return a.every((d, id) => ((map.getFeatureState({ source: 'lsoa21', sourceLayer: 'lsoa21', id }) || {}).d ?? null) === d);
      },
      after,
      { timeout: 60_000 },
    );
    assert.equal(
      await reopened.page.locator('fieldset.weights[data-index=imd2025] .weight-number').first().inputValue(),
      '80.0',
    );

    // Published weights again: the parameter leaves the URL.
    await page.getByRole('button', { name: 'Published' }).click();
    await page.waitForFunction(() => !location.search.includes('w.imd2025='));
    await page.waitForFunction(() => !/your weights/.test(document.querySelector('.legend-title')?.textContent ?? ''));
    await reopened.context.close();
    await context.close();
  });

  test('the left-behind count follows the weights, with no request', async () => {
    const { context, page, requests } = await open('?i=imd2025&v=left-behind');
    const count = page.getByTestId('left-behind-count');
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid=left-behind-count]')?.textContent || ''));
    const published = (await count.textContent()).trim();
    await openWeights(page, 'imd2025', 'cni2023');
    const seen = requests.length;
    await page.locator('fieldset.weights[data-index=cni2023] select').selectOption('civic');
    await waitRebuilt(page, 'cni2023');
    await page.waitForFunction(
      (p) => (document.querySelector('[data-testid=left-behind-count]')?.textContent || '').trim() !== p,
      published,
      { timeout: 60_000 },
    );
    const custom = (await count.textContent()).trim();
    console.log(`left behind: ${published} with the published CNI 2023, ${custom} with civic assets only`);
    assert.notEqual(custom, published);
    assert.deepEqual(requests.slice(seen), [], 'no request for a preset either');
    await context.close();
  });
});
