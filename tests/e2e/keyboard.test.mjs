// Keyboard only (issue 14): a full task walked with keys and nothing else, checking at each step
// where focus is, that it can be seen, that nothing traps it, and that the key controls have the
// names a screen reader reads. The map is moved with the arrow keys and + / -.
//
// Run: CNIMAP_DIST=/tmp/mine node --test tests/e2e/keyboard.test.mjs

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  getJson, launchBrowser, openApp, startServer, stopServer, waitForFirstPaint, waitForIdle,
} from './helpers.mjs';

const DESKTOP = { width: 1280, height: 800 };
const POSTCODE = 'CO15 2EQ';

let server;
let browser;
/** The neighbourhood of the postcode, from the API. */
let area;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const search = await getJson(server.base, `/api/search?q=${encodeURIComponent(POSTCODE)}`);
  const hit = search.hits.find((h) => h.kind === 'postcode');
  assert.ok(hit, `the API finds ${POSTCODE}`);
  area = hit;
});

after(async () => {
  await browser?.close();
  await stopServer(server);
});

/** What has focus: its tag, id, classes, role, accessible-ish name, and how its focus shows. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const s = getComputedStyle(el);
    const name = el.getAttribute('aria-label')
      || (el.labels && el.labels[0] && el.labels[0].textContent.trim())
      || el.textContent.trim().replace(/\s+/g, ' ').slice(0, 80);
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      className: typeof el.className === 'string' ? el.className : '',
      role: el.getAttribute('role'),
      name,
      inPanel: !!el.closest('[data-testid=area-panel]'),
      inHelp: !!el.closest('[data-testid=help]'),
      focusVisible: el.matches(':focus-visible'),
      outline: `${s.outlineStyle} ${s.outlineWidth}`,
      visibleRing: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none',
    };
  });
}

/** Asserts focus is on something and its ring shows (WCAG 2.4.7). */
async function assertFocusVisible(page, what) {
  const f = await focused(page);
  assert.ok(f, `${what}: something has focus`);
  assert.ok(f.focusVisible && f.visibleRing, `${what}: the focus ring shows on ${JSON.stringify(f)}`);
  return f;
}

/** Presses Tab (or Shift+Tab) until `predicate(focused)` holds; every stop must show its focus. */
async function tabUntil(page, predicate, what, { max = 40, back = false } = {}) {
  const seen = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    if (f) {
      seen.push(`${f.tag}${f.id ? '#' + f.id : ''} "${f.name}"`);
      // The canvas container and hidden elements never take focus; everything else shows it.
      assert.ok(f.focusVisible && f.visibleRing, `focus ring missing on ${JSON.stringify(f)}`);
      if (predicate(f)) return f;
    }
  }
  throw new Error(`${what}: not reached in ${max} presses of Tab; focus went through:\n  ${seen.join('\n  ')}`);
}

describe('keyboard only', () => {
  test('find a postcode, read its panel, open the help, switch indicator, filter the table and export it, move the map: keys only', async () => {
    const { context, page, errors } = await openApp(browser, server.base, '', DESKTOP, { acceptDownloads: true });
    try {
      await waitForFirstPaint(page);
      await waitForIdle(page);

      // The key controls have names (read by screen readers; axe checks every control too).
      await page.getByRole('application', { name: /^Map of England/ }).waitFor();
      await page.getByRole('combobox', { name: 'Search for a postcode or place' }).waitFor();
      await page.getByRole('tablist', { name: 'What the map shows' }).waitFor();
      for (const name of ['One indicator', 'IMD × CNI', 'Left behind']) await page.getByRole('tab', { name }).waitFor();
      await page.getByRole('combobox', { name: 'Indicator' }).waitFor();
      await page.getByRole('button', { name: 'Whole of England' }).waitFor();
      await page.getByRole('button', { name: 'Zoom in' }).waitFor();
      await page.getByRole('heading', { name: 'The map in words' }).waitFor({ state: 'attached' });

      // 1. The first Tab reaches the skip link, visible when focused; Enter lands in the search box.
      await page.keyboard.press('Tab');
      const skip = await assertFocusVisible(page, 'first Tab');
      assert.equal(skip.name, 'Skip to search');
      const skipBox = await page.locator('.skip-link').boundingBox();
      assert.ok(skipBox && skipBox.y >= 0, 'the skip link is on screen when focused');
      await page.keyboard.press('Enter');
      assert.equal((await focused(page)).id, 'search-input', 'Enter on the skip link moves to the search box');

      // 2. Find the postcode: type it, choose the first hit with ArrowDown and Enter.
      await page.keyboard.type(POSTCODE);
      await page.waitForSelector('#search-results [role=option]');
      await page.keyboard.press('ArrowDown');
      assert.equal(
        await page.locator('#search-input').getAttribute('aria-activedescendant'), 'search-option-0',
        'ArrowDown makes the first hit active',
      );
      await page.keyboard.press('Enter');

      // 3. The panel opens with a heading, and focus moves into it (its close button).
      const heading = page.locator('[data-testid=area-panel] h2.area-name');
      await heading.waitFor({ timeout: 30_000 });
      await page.waitForFunction(() => document.activeElement?.closest('[data-testid=area-panel]'));
      const inPanel = await focused(page);
      assert.equal(inPanel.name, 'Close', 'focus is on the panel\'s close button');
      assert.ok(await page.getByRole('complementary', { name: 'Area details' }).getByRole('heading', { level: 2 }).count() >= 1);
      const areaName = (await heading.textContent()).trim();
      assert.ok(areaName.length > 0, 'the panel heading names the area');
      const code = (await page.locator('[data-testid=area-panel] .area-code').textContent()).split(' · ')[0].trim();
      assert.match(code, /^E0[0-9]{7}$/, 'the panel shows the area code');

      // 4. The question about the code is one Tab away; Enter opens the answer; Escape closes it
      //    and focus goes back to the question.
      const codeQuestion = await tabUntil(page, (f) => f.inPanel && f.name.includes(`Why is it called ${code}?`), 'the code question', { max: 3 });
      assert.ok(codeQuestion.inPanel);
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Why is my neighbourhood called E01021988?' });
      await dialog.waitFor();
      await page.waitForFunction(() => document.activeElement?.id === 'help-title');
      assert.ok(await dialog.getByRole('link').count() >= 1, 'the answer links its sources');
      // Modal: Tab stays inside the dialog however often it is pressed.
      for (let i = 0; i < 12; i++) {
        await page.keyboard.press('Tab');
        const f = await focused(page);
        assert.ok(f?.inHelp, `Tab ${i + 1} stays in the help dialog (${JSON.stringify(f)})`);
        assert.ok(f.focusVisible && f.visibleRing, `focus shows in the dialog: ${JSON.stringify(f)}`);
      }
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      await page.waitForFunction(() => document.activeElement?.classList.contains('help-button'));
      assert.ok((await focused(page)).name.includes(code), 'focus is back on the question that opened the help');
      assert.equal(await page.locator('[data-testid=area-panel]').count(), 1, 'Escape in the help left the panel open');

      // 5. Escape closes the panel and focus returns where it was before it opened (the search box).
      await page.keyboard.press('Escape');
      await page.locator('[data-testid=area-panel]').waitFor({ state: 'detached' });
      await page.waitForFunction(() => document.activeElement?.id === 'search-input');

      // 6. Switch indicator: Tab to the view tabs (one tab stop), arrows move between views, Tab
      //    on to the indicator picker, ArrowDown picks the next indicator.
      const tab = await tabUntil(page, (f) => f.role === 'tab', 'the view tabs');
      assert.equal(tab.name, 'One indicator');
      await page.keyboard.press('ArrowRight');
      assert.equal((await focused(page)).name, 'IMD × CNI');
      assert.equal(await page.getByRole('tab', { name: 'IMD × CNI' }).getAttribute('aria-selected'), 'true');
      await page.keyboard.press('ArrowLeft');
      assert.equal(await page.getByRole('tab', { name: 'One indicator' }).getAttribute('aria-selected'), 'true');
      const picker = await tabUntil(page, (f) => f.id === 'indicator', 'the indicator picker', { max: 3 });
      assert.equal(picker.tag, 'select');
      const before = await page.locator('#indicator').inputValue();
      const titleBefore = await page.locator('.legend-title').first().textContent();
      await page.keyboard.press('ArrowDown');
      await page.waitForFunction((b) => document.querySelector('#indicator').value !== b, before);
      const afterValue = await page.locator('#indicator').inputValue();
      assert.notEqual(afterValue, before, 'ArrowDown chose another indicator');
      await page.waitForFunction((t) => document.querySelector('.legend-title')?.textContent !== t, titleBefore);
      assert.match(page.url(), new RegExp(`[?&]i(ndicator)?=${afterValue}`), 'the indicator is in the address');

      // 7. Help beside the legend: "What does decile 1 mean?", opened with Enter, closed with Escape.
      await tabUntil(page, (f) => f.name.includes('What does decile 1 mean?'), 'the decile question');
      await page.keyboard.press('Enter');
      const decileHelp = page.getByRole('dialog', { name: 'What does decile 1 mean?' });
      await decileHelp.waitFor();
      // Focus moves to the dialog's heading on the next frame (as in step 4): Escape is the dialog's.
      await page.waitForFunction(() => document.activeElement?.id === 'help-title');
      await page.keyboard.press('Escape');
      await decileHelp.waitFor({ state: 'detached' });
      // Focus goes back to the question on the next frame.
      await page.waitForFunction(() => (document.activeElement?.textContent || '').includes('What does decile 1 mean?'), null, { timeout: 10_000 });
      assert.ok((await page.evaluate(() => document.activeElement?.textContent || '')).includes('What does decile 1 mean?'), 'focus is back on the question');

      // 8. The table: Tab to its button, Enter opens it; Tab through its controls to the filter
      //    form, choose IMD 2025 deciles 1 to 1 with keys, Enter adds the filter; the live count
      //    says how many rows are left; Tab on to "Download CSV", Enter saves the rows shown.
      const toggle = await tabUntil(page, (f) => f.className.includes('table-toggle'), 'the table button');
      assert.equal(toggle.tag, 'button');
      await page.keyboard.press('Enter');
      await page.locator('#table-count').waitFor();
      await page.waitForFunction(() => /^33,755 of 33,755/.test(document.querySelector('#table-count')?.textContent || ''), null, { timeout: 120_000 });
      assert.equal(await page.locator('#table-count').getAttribute('aria-live'), 'polite', 'the count is announced');
      const indicatorBox = await tabUntil(page, (f) => f.id === 'table-filter-indicator', 'the filter\'s indicator', { max: 60 });
      assert.equal(indicatorBox.tag, 'select');
      // A select takes typed letters: move to IMD 2025 with the arrow keys until it is chosen.
      for (let i = 0; i < 60 && (await page.locator('#table-filter-indicator').inputValue()) !== 'imd2025'; i++) {
        await page.keyboard.press('ArrowDown');
      }
      for (let i = 0; i < 60 && (await page.locator('#table-filter-indicator').inputValue()) !== 'imd2025'; i++) {
        await page.keyboard.press('ArrowUp');
      }
      assert.equal(await page.locator('#table-filter-indicator').inputValue(), 'imd2025', 'IMD 2025 chosen with the arrow keys');
      await tabUntil(page, (f) => f.id === 'table-filter-measure', 'the filter\'s measure', { max: 2 });
      for (let i = 0; i < 6 && (await page.locator('#table-filter-measure').inputValue()) !== 'decile'; i++) {
        await page.keyboard.press('ArrowDown');
      }
      assert.equal(await page.locator('#table-filter-measure').inputValue(), 'decile');
      await tabUntil(page, (f) => f.id === 'table-filter-from', 'the range\'s start', { max: 3 });
      await page.keyboard.press('Control+A');
      await page.keyboard.type('1');
      await tabUntil(page, (f) => f.id === 'table-filter-to', 'the range\'s end', { max: 3 });
      await page.keyboard.press('Control+A');
      await page.keyboard.type('1');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => /^3,\d{3} of 33,755/.test(document.querySelector('#table-count')?.textContent || ''), null, { timeout: 120_000 });
      const filtered = (await page.locator('#table-count').textContent()).trim();
      assert.ok(new URL(page.url()).searchParams.getAll('filter').includes('imd2025.decile=1'), 'the filter is in the address');
      const downloadButton = await tabUntil(page, (f) => f.className.includes('table-download'), 'Download CSV', { max: 60 });
      assert.equal(downloadButton.name, 'Download CSV');
      const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
      const csv = (await fs.promises.readFile(await download.path(), 'utf8')).split('\n');
      const rowsShown = Number(filtered.split(' ')[0].replace(/,/g, ''));
      assert.equal(csv.length, rowsShown + 3, `the CSV holds the ${rowsShown} rows shown (a comment, a header, the rows, a final newline)`);
      assert.match(csv[1], /^code,name,/, 'codes and names first');
      // Close the table with its own button, by keyboard: focus goes back to the table button.
      await tabUntil(page, (f) => f.name === 'Close the table', 'the table\'s close button', { max: 60, back: true });
      await page.keyboard.press('Enter');
      await page.locator('#table-view').waitFor({ state: 'detached' });
      await page.waitForFunction(() => document.activeElement?.classList.contains('table-toggle'));
      assert.equal((await assertFocusVisible(page, 'after closing the table')).className, 'table-toggle', 'focus goes back to the button that opened the table');

      // 9. The map: Shift+Tab back to it (after the skip link), arrows pan, + and - zoom, and Tab
      //    leaves it again (no trap).
      const mapStop = await tabUntil(page, (f) => f.className.split(' ').includes('map'), 'the map', { back: true, max: 60 });
      assert.equal(mapStop.role, 'application');
      assert.ok(await page.locator('.map-crosshair').isVisible(), 'the crosshair shows while the map has focus');
      const cam = () => page.evaluate(() => {
        const m = window.cnimap.map;
        return { lng: m.getCenter().lng, lat: m.getCenter().lat, zoom: m.getZoom() };
      });
      const start = await cam();
      await page.keyboard.press('ArrowRight');
      await page.waitForFunction((lng) => window.cnimap.map.getCenter().lng > lng + 1e-6 && !window.cnimap.map.isMoving(), start.lng);
      const panned = await cam();
      assert.ok(panned.lng > start.lng, `ArrowRight pans east (${start.lng} -> ${panned.lng})`);
      await page.keyboard.press('ArrowUp');
      await page.waitForFunction((lat) => window.cnimap.map.getCenter().lat > lat + 1e-6 && !window.cnimap.map.isMoving(), panned.lat);
      await page.keyboard.press('+');
      await page.waitForFunction((z) => window.cnimap.map.getZoom() > z + 0.5 && !window.cnimap.map.isMoving(), panned.zoom);
      const zoomed = await cam();
      await page.keyboard.press('-');
      await page.waitForFunction((z) => window.cnimap.map.getZoom() < z - 0.5 && !window.cnimap.map.isMoving(), zoomed.zoom);
      await page.keyboard.press('Tab');
      const out = await focused(page);
      assert.ok(out && !out.className.split(' ').includes('map'), 'Tab leaves the map');

      assert.deepEqual(errors, [], 'no page errors');
    } finally {
      await context.close();
    }
  });

  test('on a phone with a keyboard: find a postcode, read the panel, close it, switch view; focus never hidden', async () => {
    const PHONE = { width: 375, height: 740 };
    const { context, page, errors } = await openApp(browser, server.base, '', PHONE, { isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    try {
      await waitForFirstPaint(page);
      await waitForIdle(page);
      /** WCAG 2.4.11 (focus not obscured): the focused control is on screen and not covered. */
      const assertOnScreen = async (what) => {
        const f = await assertFocusVisible(page, what);
        const seen = await page.evaluate(() => {
          const el = document.activeElement;
          el.scrollIntoView({ block: 'nearest' });
          const b = el.getBoundingClientRect();
          const x = Math.min(Math.max(b.left + b.width / 2, 0), innerWidth - 1);
          const y = Math.min(Math.max(b.top + Math.min(b.height, 40) / 2, 0), innerHeight - 1);
          const top = document.elementFromPoint(x, y);
          return {
            inside: b.bottom > 0 && b.top < innerHeight && b.right > 0 && b.left < innerWidth,
            uncovered: !!top && (el === top || el.contains(top) || top.contains(el) || (el.labels && [...el.labels].some((l) => l.contains(top)))),
            box: [b.left, b.top, b.width, b.height].map(Math.round),
            top: top ? `${top.tagName.toLowerCase()}.${top.className}` : null,
          };
        });
        assert.ok(seen.inside, `${what}: focus is on screen (${JSON.stringify(seen)}, ${JSON.stringify(f)})`);
        assert.ok(seen.uncovered, `${what}: nothing covers the focused control (${JSON.stringify(seen)})`);
        return f;
      };

      await page.keyboard.press('Tab');
      assert.equal((await assertOnScreen('first Tab')).name, 'Skip to search');
      await page.keyboard.press('Enter');
      assert.equal((await focused(page)).id, 'search-input');
      await page.keyboard.type(POSTCODE);
      await page.waitForSelector('#search-results [role=option]');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await page.locator('[data-testid=area-panel] h2.area-name').waitFor({ timeout: 30_000 });
      await page.waitForFunction(() => document.activeElement?.closest('[data-testid=area-panel]'));
      assert.equal((await assertOnScreen('the panel')).name, 'Close', 'focus is on the panel\'s close button');
      // Tab moves through the panel's controls, each on screen.
      for (let i = 0; i < 4; i++) {
        await page.keyboard.press('Tab');
        const f = await focused(page);
        if (!f?.inPanel) break;
        await assertOnScreen(`panel stop ${i + 1}`);
      }
      await page.keyboard.press('Escape');
      await page.locator('[data-testid=area-panel]').waitFor({ state: 'detached' });
      await page.waitForFunction(() => document.activeElement?.id === 'search-input');
      const tab = await tabUntil(page, (f) => f.role === 'tab', 'the view tabs');
      await assertOnScreen('the view tabs');
      assert.equal(tab.name, 'One indicator');
      await page.keyboard.press('End');
      await page.waitForFunction(() => document.querySelector('[role=tab][aria-selected=true]')?.textContent.includes('Change'));
      await assertOnScreen('the last view tab');
      await page.keyboard.press('Home');
      await page.waitForFunction(() => document.querySelector('[role=tab][aria-selected=true]')?.textContent.includes('One indicator'));
      const picker = await tabUntil(page, (f) => f.id === 'indicator', 'the indicator picker', { max: 4 });
      assert.equal(picker.tag, 'select');
      await assertOnScreen('the indicator picker');
      assert.deepEqual(errors, [], 'no page errors');
    } finally {
      await context.close();
    }
  });

  test('the map in words lists the areas in view with their values once the map stops', async () => {
    const { context, page } = await openApp(browser, server.base, '', DESKTOP);
    try {
      await waitForFirstPaint(page);
      await waitForIdle(page);
      // Zoomed out over England: too many to list, and it says how to get a list.
      await page.waitForFunction(() => /zoom in/i.test(document.querySelector('#map-text')?.textContent || ''));
      assert.match(await page.locator('[data-testid=map-text-legend]').textContent(), /decile/i, 'the legend in words');
      await page.evaluate((c) => window.cnimap.map.jumpTo({ center: c, zoom: 14 }), area.point_wgs84);
      await waitForIdle(page);
      await page.locator('[data-testid=map-text-table] tbody tr').first().waitFor({ state: 'attached', timeout: 10_000 });
      const rows = await page.locator('[data-testid=map-text-table] tbody tr').count();
      const summary = await page.locator('[data-testid=map-text-summary]').textContent();
      console.log(`map in words at zoom 14 near ${POSTCODE}: ${summary} (${rows} rows)`);
      assert.ok(rows >= 1 && rows <= 25, `between 1 and 25 rows (${rows})`);
      const first = await page.locator('[data-testid=map-text-table] tbody tr').first().locator('td').allTextContents();
      assert.match(first[0], /^E0[0-9]{7}$/, 'a row gives the area code');
      assert.match(first[1], /Decile \d+|No value/, 'and its value in words');
      // The neighbourhood of the postcode is in view, so it is listed unless the list was cut.
      const codes = await page.locator('[data-testid=map-text-table] tbody tr td:first-of-type').allTextContents();
      const inView = Number(summary.replace(/,/g, '').match(/\d+/)[0]);
      // The count is that of the neighbourhoods MapLibre has drawn in view.
      const drawn = await page.evaluate(() => new Set(window.cnimap.map
        .queryRenderedFeatures(undefined, { layers: ['lsoa21-fill'] }).map((f) => f.id)).size);
      assert.equal(inView, drawn, `the summary counts the ${drawn} neighbourhoods drawn in view`);
      assert.equal(rows, Math.min(drawn, 25), 'the list holds them all, or the first 25');
      assert.equal(new Set(codes).size, codes.length, 'each area once');
    } finally {
      await context.close();
    }
  });
});
