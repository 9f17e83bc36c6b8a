// axe-core (pinned in package.json) for the e2e files: inject it, run it at WCAG 2.2 A/AA with the
// suite's justified exceptions, and report. One copy, imported by every file that audits a state.

import fs from 'node:fs';
import path from 'node:path';
import { REPO } from './helpers.mjs';

/** axe-core's browser bundle, injected into the page under test. */
export const AXE_SOURCE = fs.readFileSync(path.join(REPO, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/** The WCAG levels audited: every A and AA rule of WCAG 2.0, 2.1 and 2.2 axe-core knows. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

/**
 * Runs axe-core on the page (or only inside the `include` selector) at the WCAG A/AA tags and
 * returns its results.
 * Exceptions (each justified here):
 * - `.maplibregl-canvas`: the WebGL canvas is drawn pixels, not text; its text alternative is the
 *   list of areas in view (`#map-text`) and the map container's name. Colour contrast cannot be
 *   computed over it, so the canvas itself is excluded; text drawn over the map has its own
 *   contrast check (a halo) in crates/cnimap-web/src/style.rs's tests.
 * - target-size (2.5.8) on a control that the side card's sticky credit line (`.sources`, kept in
 *   full at the card's foot by design, issue 9 item 12) covers in part: the card's content scrolls
 *   under it, so whichever row sits at its top edge is partly hidden until the card is scrolled a
 *   little; scrolled into view the same control is 24 px or more. Only nodes whose failure is
 *   "partially obscured" and whose box meets the credit line's box are excepted, and they are
 *   printed as exceptions.
 */
export async function audit(page, { include } = {}) {
  const hasAxe = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!hasAxe) await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async ({ tags, include }) => {
    const r = await window.axe.run(
      include ? { include: [[include]], exclude: [['.maplibregl-canvas']] } : { exclude: [['.maplibregl-canvas']] },
      { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations', 'incomplete'] },
    );
    // The exception above: targets partly under the sticky credit line.
    const credit = document.querySelector('.sidebar > .sources')?.getBoundingClientRect();
    const underCredit = (node) => {
      const el = document.querySelector(node.target.join(' '));
      if (!credit || !el || !/partially obscured/.test(node.failureSummary || '')) return false;
      const r = el.getBoundingClientRect();
      return r.bottom > credit.top && r.top < credit.bottom && r.right > credit.left && r.left < credit.right;
    };
    const excepted = [];
    for (const v of r.violations) {
      if (v.id !== 'target-size') continue;
      const keep = v.nodes.filter((n) => !underCredit(n));
      for (const n of v.nodes.filter((x) => underCredit(x))) excepted.push(`${v.id}: ${n.target.join(' ')} (partly under the sticky credit line)`);
      v.nodes = keep;
    }
    r.violations = r.violations.filter((v) => v.nodes.length > 0);
    const brief = (list) => list.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    }));
    return { violations: brief(r.violations), incomplete: brief(r.incomplete), passes: r.passes.length, excepted };
  }, { tags: WCAG_TAGS, include });
}

/** One line per rule, then the nodes of each violation. */
export function report(name, r) {
  const lines = [`axe [${name}]: ${r.violations.length} violations, ${r.passes} rules passed, ${r.excepted.length} excepted, ${r.incomplete.length} to review by hand`];
  for (const v of r.violations) {
    lines.push(`  VIOLATION ${v.id} (${v.impact}): ${v.help}`);
    for (const n of v.nodes.slice(0, 8)) lines.push(`    ${n.target}: ${(n.summary || '').replace(/\s+/g, ' ')}`);
  }
  for (const e of r.excepted) lines.push(`  excepted ${e}`);
  for (const v of r.incomplete) lines.push(`  review ${v.id}: ${v.help} (${v.nodes.length} nodes)`);
  return lines.join('\n');
}
