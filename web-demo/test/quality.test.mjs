// The demo measured as a visitor's browser sees it: Lighthouse (its npm package, on Debian's
// Chromium, in its default mobile configuration) and axe-core, on both pages. Scores and timings
// are printed. Accessibility and best practices (checks of the page, not of the machine's speed)
// must reach 95 and axe must find nothing; the performance score, a timing, is printed only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { launch } from '../../wasm/test/support.mjs';
import { startDemoServer } from '../serve.mjs';

const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const PAGES = ['/index.html', '/dashboard.html'];

let server, base;
before(async () => {
  server = await startDemoServer(0);
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => server?.close());

test('Lighthouse, mobile: scores of both pages printed; accessibility and best practices at least 95', async () => {
  const chrome = await chromeLauncher.launch({
    chromePath: '/usr/bin/chromium',
    chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    for (const path of PAGES) {
      const { lhr } = await lighthouse(`${base}${path}`, {
        port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: ['performance', 'accessibility', 'best-practices'],
      });
      const score = (id) => Math.round(lhr.categories[id].score * 100);
      const metric = (id) => lhr.audits[id].displayValue;
      console.log(`lighthouse ${path}: performance ${score('performance')}, accessibility ${score('accessibility')}, `
        + `best practices ${score('best-practices')} (FCP ${metric('first-contentful-paint')}, LCP ${metric('largest-contentful-paint')}, `
        + `TBT ${metric('total-blocking-time')}, CLS ${metric('cumulative-layout-shift')})`);
      const failed = (category) => lhr.categories[category].auditRefs.map((r) => lhr.audits[r.id])
        .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode === 'binary').map((a) => a.id);
      assert.ok(score('accessibility') >= 95, `${path}: accessibility ${score('accessibility')}: ${failed('accessibility')}`);
      assert.ok(score('best-practices') >= 95, `${path}: best practices ${score('best-practices')}: ${failed('best-practices')}`);
    }
  } finally {
    await chrome.kill();
  }
});

/** The axe-core violations of the page as it is now: rule id and the elements concerned. */
async function violations(page) {
  await page.addScriptTag({ path: axeSource });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('axe-core finds nothing on either page, at phone and desktop size, in both languages, with errors shown', async () => {
  const browser = await launch();
  try {
    for (const width of [390, 1366]) {
      for (const path of PAGES) {
        for (const lang of ['fr', 'en']) {
          const page = await browser.newPage({ viewport: { width, height: 900 } });
          await page.goto(`${base}${path}`);
          await page.waitForSelector('body[data-settled=true]', { state: 'attached', timeout: 20_000 });
          if (lang === 'en') {
            await page.selectOption('#lang', 'en');
            await page.waitForSelector('body[data-settled=true]', { state: 'attached' });
          }
          assert.deepEqual(await violations(page), [], `${path} ${lang} at ${width} px`);
          if (path === '/index.html') {
            // The step editor open, and a field in error (its note and details beside it).
            await page.click('#editSteps');
            await page.fill('#amount', '4 80,5');
            await page.waitForSelector('#amount-problem');
            assert.deepEqual(await violations(page), [], `${path} ${lang} at ${width} px, editor open, an error shown`);
          }
          await page.close();
        }
      }
    }
  } finally {
    await browser.close();
  }
});
