// Accessibility audit (issue 14): axe-core, pinned in package.json, is injected from node_modules
// into every view and state of the app that exists, and must find no violation of the WCAG 2.0,
// 2.1 and 2.2 A and AA rules. The results of each state are printed in the test output.
//
// To add a view (the table, filters, re-weighting, upload, profile when they land): add an entry
// to STATES below with a `name`, optional `viewport`/`options`, and a `reach(page)` that brings
// the page to that state; the audit and the report come for free.
//
// Run: CNIMAP_DIST=/tmp/mine node --test tests/e2e/a11y.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { audit, report } from './axe.mjs';
import {
  getJson, launchBrowser, openApp, startServer, stopServer, waitForFirstPaint, waitForIdle,
} from './helpers.mjs';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 740 };
const PHONE_OPTIONS = { isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const POSTCODE = 'CO15 2EQ';

/** Waits for the search results of `query` to show. */
async function typeSearch(page, query) {
  await page.locator('#search-input').fill(query);
  await page.waitForSelector('#search-results [role=option]');
}

/** Opens the panel of the postcode's neighbourhood (search, ArrowDown, Enter) and waits for it. */
async function openPanel(page) {
  await typeSearch(page, POSTCODE);
  await page.locator('#search-input').press('ArrowDown');
  await page.locator('#search-input').press('Enter');
  await page.locator('[data-testid=area-panel] .area-name').waitFor({ timeout: 30_000 });
  await waitForIdle(page);
}

/** The states audited: each is reached from a freshly opened app. */
const STATES = [
  { name: 'first view', reach: async () => {} },
  { name: 'search results open', reach: (page) => typeSearch(page, POSTCODE) },
  { name: 'area panel open', reach: openPanel },
  {
    name: 'indicator switched',
    reach: async (page) => {
      await page.locator('#indicator').selectOption('cni2023');
      await waitForIdle(page);
    },
  },
  {
    name: 'bivariate view',
    reach: async (page) => {
      await page.getByRole('tab', { name: 'IMD × CNI' }).click();
      await page.waitForFunction(() => !document.querySelector('[data-testid=bivariate-legend]')?.textContent.includes('…'));
    },
  },
  {
    name: 'left-behind view',
    reach: async (page) => {
      await page.getByRole('tab', { name: 'Left behind' }).click();
      await page.getByTestId('left-behind-list').locator('li').first().waitFor({ timeout: 30_000 });
    },
  },
  {
    name: 'help open',
    reach: async (page) => {
      await page.locator('button.help-button').first().click();
      await page.locator('[data-testid=help]').waitFor();
    },
  },
  {
    name: 're-weighting (a what-if weight moved)',
    reach: async (page) => {
      await page.locator('details.what-if > summary').click();
      await page.locator('fieldset.weights[data-index=imd2025][data-ready=true]').waitFor({ timeout: 60_000 });
      await page.locator('#w-imd2025-income').fill('60');
      await page.waitForFunction(
        () => /moved into|The same/.test(document.querySelector('fieldset.weights[data-index=imd2025] .weights-status')?.textContent || ''),
        null,
        { timeout: 60_000 },
      );
      await waitForIdle(page);
    },
  },
  { name: 'phone with panel', viewport: PHONE, options: PHONE_OPTIONS, reach: openPanel },
  // The table and its filters, the change view and the postcode check run axe-core in their own
  // files (table.test.mjs, change.test.mjs, postcodes.test.mjs). The area profile is not built yet.
];

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const search = await getJson(server.base, `/api/search?q=${encodeURIComponent(POSTCODE)}`);
  assert.ok(search.hits.some((h) => h.kind === 'postcode'), `the API finds ${POSTCODE}`);
});

after(async () => {
  await browser?.close();
  await stopServer(server);
});

describe('axe-core finds no WCAG 2.2 A/AA violation', () => {
  for (const state of STATES) {
    test(`in the state "${state.name}"`, async () => {
      // bypassCSP: the server's CSP (rightly) refuses inline scripts; axe is injected as one.
      const options = { ...(state.options || {}), bypassCSP: true };
      const { context, page, errors } = await openApp(browser, server.base, '', state.viewport || DESKTOP, options);
      try {
        await waitForFirstPaint(page);
        await waitForIdle(page);
        await state.reach(page);
        const r = await audit(page);
        console.log(report(state.name, r));
        assert.deepEqual(errors, [], 'no page errors');
        assert.equal(r.violations.length, 0, `axe violations in "${state.name}":\n${report(state.name, r)}`);
      } finally {
        await context.close();
      }
    });
  }
});

/**
 * The contrast of every piece of text in the cards (side card, panel, help) against the colour
 * behind it. axe leaves most of these "to review": the cards paint their white as a gradient image
 * (see app.css), which axe cannot read. Here the gradient's colour is taken as the background.
 * Returns the pairs below `min` (3:1 for large text, 4.5:1 otherwise) and the lowest ratio seen.
 */
function cardTextContrast(page) {
  return page.evaluate(() => {
    const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (c) => { c /= 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const s = getComputedStyle(e);
        const c = rgb(s.backgroundColor);
        if (c.length >= 3 && (c.length === 3 || c[3] > 0.9)) return c.slice(0, 3);
        const g = /linear-gradient\((rgba?\([^)]*\))/.exec(s.backgroundImage);
        if (g) return rgb(g[1]).slice(0, 3);
      }
      return [255, 255, 255];
    };
    const low = [];
    let lowest = Infinity;
    let checked = 0;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!n.textContent.trim() || !el || !el.closest('.sidebar, .panel, .help')) continue;
      if (el.closest('.sr-only, [hidden], [aria-hidden=true]')) continue;
      const s = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      if (s.visibility === 'hidden' || r.width === 0 || r.height === 0) continue;
      const fg = rgb(s.color).slice(0, 3);
      const bg = background(el);
      const size = parseFloat(s.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(s.fontWeight) >= 700);
      const min = large ? 3 : 4.5;
      const k = ratio(fg, bg);
      checked += 1;
      lowest = Math.min(lowest, k);
      if (k < min) low.push(`${el.tagName.toLowerCase()}.${el.className} "${n.textContent.trim().slice(0, 30)}": ${s.color} on rgb(${bg}) = ${k.toFixed(2)}:1`);
    }
    return { low, lowest, checked };
  });
}

describe('text contrast in the cards (where axe cannot read the background)', () => {
  for (const state of STATES.filter((x) => ['first view', 'area panel open', 'left-behind view', 'help open'].includes(x.name))) {
    test(`every text reads at 4.5:1 (3:1 large) in the state "${state.name}"`, async () => {
      const { context, page } = await openApp(browser, server.base, '', DESKTOP);
      try {
        await waitForFirstPaint(page);
        await waitForIdle(page);
        await state.reach(page);
        const { low, lowest, checked } = await cardTextContrast(page);
        console.log(`contrast [${state.name}]: ${checked} text nodes, lowest ${lowest.toFixed(2)}:1, ${low.length} below the minimum`);
        assert.ok(checked > 20, 'text was found');
        assert.deepEqual(low, [], 'text below the WCAG AA contrast');
      } finally {
        await context.close();
      }
    });
  }
});

describe('reduced motion', () => {
  /** Chooses the postcode's search hit and counts the camera frames of the move it makes. */
  async function movesOfAChoice(options) {
    const { context, page } = await openApp(browser, server.base, '', DESKTOP, options);
    try {
      await waitForFirstPaint(page);
      await waitForIdle(page);
      await typeSearch(page, POSTCODE);
      // Record every camera frame from the choice on: a jump moves in one frame, a flight in many.
      await page.evaluate(() => {
        const map = window.cnimap.map;
        window.__moves = [];
        window.__start = map.getZoom();
        map.on('move', () => window.__moves.push(map.getZoom()));
        window.__ended = new Promise((resolve) => map.once('moveend', () => resolve(performance.now())));
        window.__chosen = performance.now();
      });
      await page.locator('#search-input').press('ArrowDown');
      await page.locator('#search-input').press('Enter');
      const took = await page.evaluate(async () => (await window.__ended) - window.__chosen);
      const { moves, start } = await page.evaluate(() => ({ moves: window.__moves, start: window.__start }));
      const reduced = await page.evaluate(() => matchMedia('(prefers-reduced-motion: reduce)').matches);
      return { moves, start, took, reduced };
    } finally {
      await context.close();
    }
  }

  test('with prefers-reduced-motion, choosing a search hit moves the map at once (no fly-to)', async () => {
    const calm = await movesOfAChoice({ reducedMotion: 'reduce' });
    const usual = await movesOfAChoice({ reducedMotion: 'no-preference' });
    for (const [name, r] of [['reduce', calm], ['no-preference', usual]]) {
      console.log(`motion ${name}: ${r.moves.length} move events, ${Math.round(r.took)} ms from choice to moveend, zoom ${r.start.toFixed(1)} -> ${r.moves.at(-1)?.toFixed(1)}`);
    }
    assert.equal(calm.reduced, true, 'the media feature is emulated');
    assert.ok(calm.moves.length >= 1 && calm.moves.at(-1) > calm.start + 3, 'the map zoomed in to the postcode');
    // A jump: every camera frame is already at the end (no frame in between).
    const end = calm.moves.at(-1);
    assert.ok(calm.moves.every((z) => Math.abs(z - end) < 1e-6), `the move is a jump, not an animation (zooms ${calm.moves.map((z) => z.toFixed(2))})`);
    // Without the preference the same choice animates: its first frame is on the way (so the
    // check above tells the two apart; frame counts depend on the machine's load, this does not).
    assert.ok(usual.moves.length >= 2 && usual.moves[0] < usual.moves.at(-1) - 0.1, `without it the camera flies (zooms ${usual.moves.map((z) => z.toFixed(2))})`);
  });
});
