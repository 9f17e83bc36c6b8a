// A slow phone (issue 14): time to a usable map on Chromium DevTools' "Slow 4G" with the CPU
// slowed 4x, in a phone viewport, cold cache. A benchmark, not a test: it prints the figures.
//
// "Slow 4G" is DevTools' preset (front_end/core/sdk/NetworkManager.ts, Slow4GConditions, the
// old "Fast 3G" renamed in May 2024): ~1.6 Mbps down x 0.9 = 180,000 B/s, 750 kbps up x 0.9 =
// 84,375 B/s, 150 ms RTT x 3.75 = 562.5 ms latency; sent with CDP
// Network.emulateNetworkConditions. CPU: Emulation.setCPUThrottlingRate { rate: 4 }.
// "Usable map" is the app's performance mark cnimap:first-choropleth (the first view drawn in
// its data colours); the harness also reports DOMContentLoaded and the bytes received.
//
// Run: node tests/perf/slow-phone.mjs [--runs N]   (CNIMAP_DIST, CNIMAP_BIN as for the e2e suite)

import { launchBrowser, startServer, stopServer, waitForFirstPaint, FIRST_PAINT_MARK } from '../e2e/helpers.mjs';

/** Chromium DevTools' "Slow 4G" preset. */
export const SLOW_4G = { offline: false, latency: 562.5, downloadThroughput: 180_000, uploadThroughput: 84_375 };
const CPU_SLOWDOWN = 4;
const PHONE = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 3;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const server = await startServer();
const browser = await launchBrowser();
const results = [];
try {
  for (let run = 1; run <= runs; run++) {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
    let bytes = 0;
    cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
    await page.goto(server.base + '/', { waitUntil: 'commit' });
    const usable = await waitForFirstPaint(page, 600_000);
    const dcl = await page.evaluate(() => performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd ?? NaN);
    results.push({ run, usable, dcl, bytes });
    console.log(`slow phone run ${run}: ${FIRST_PAINT_MARK} at ${(usable / 1000).toFixed(1)} s, DOMContentLoaded ${(dcl / 1000).toFixed(1)} s, ${(bytes / 1e6).toFixed(2)} MB received before the mark`);
    await context.close();
  }
} finally {
  await browser.close();
  await stopServer(server);
}
const m = median(results.map((r) => r.usable));
console.log(`slow phone (Slow 4G: ${SLOW_4G.latency} ms, ${SLOW_4G.downloadThroughput} B/s down; CPU x${CPU_SLOWDOWN}; 375x740 @2x; cold cache), ${runs} runs: `
  + `time to a usable map median ${(m / 1000).toFixed(1)} s (min ${(Math.min(...results.map((r) => r.usable)) / 1000).toFixed(1)}, max ${(Math.max(...results.map((r) => r.usable)) / 1000).toFixed(1)}); `
  + `median ${(median(results.map((r) => r.bytes)) / 1e6).toFixed(2)} MB`);
