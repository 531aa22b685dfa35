// The dashboard in headless Chromium (Debian's chromium, driven by playwright-core from
// npm), against a running `vigie serve` over the ingested samples. Run by
// tests/e2e/dashboard.rs (cargo test), which starts the server:
//   BASE=http://127.0.0.1:PORT TOKEN=... SHOTS=target/dashboard-shots \
//   PLAYWRIGHT_CORE=.tools/node/node_modules/playwright-core node tests/browser/dashboard.mjs
// Each step waits for what the page shows; any failure exits 1 with the step's name.
import { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { chromium } = require(path.resolve(process.env.PLAYWRIGHT_CORE));
const BASE = process.env.BASE;
const TOKEN = process.env.TOKEN || '';
const SHOTS = process.env.SHOTS || 'target/dashboard-shots';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const DOCS_SHOT = process.env.DOCS_SHOT || '';
mkdirSync(SHOTS, { recursive: true });

function check(cond, what) {
  if (!cond) throw new Error('check failed: ' + what);
}

async function tileValue(page, id) {
  return page.locator('#' + id + ' .value').innerText();
}

// waits until the tile shows something else than `before` (and no placeholder)
async function tileChanges(page, id, before) {
  await page.waitForFunction(
    ([id, before]) => {
      const t = document.getElementById(id);
      return t && t.dataset.value && t.dataset.value !== before && t.dataset.value !== '…';
    },
    [id, before],
    { timeout: 30000 }
  );
  return tileValue(page, id);
}

async function run(width, height) {
  const tag = String(width);
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'vigie-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width, height },
    deviceScaleFactor: 1,
  });
  const page = context.pages()[0] || (await context.newPage());
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // nothing may leave this server: every request goes to BASE
  const foreign = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(BASE) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) foreign.push(r.url());
  });
  try {
    // 1. the dashboard, the token given once in the URL (then kept for the tab, gone from the URL)
    await page.goto(BASE + '/' + (TOKEN ? '?token=' + encodeURIComponent(TOKEN) : ''));
    await page.waitForSelector('body[data-ready]', { timeout: 60000 });
    check(!new URL(page.url()).searchParams.has('token'), 'the token leaves the URL');
    const allDocs = await tileValue(page, 'tile-documents');
    check(Number(allDocs.replace(/\D/g, '')) > 0, 'documents tile shows the corpus: ' + allDocs);
    const allTotal = await page.locator('#timeline').getAttribute('data-total');
    check(Number(allTotal) > 0, 'timeline has bars: ' + allTotal);
    check((await page.locator('#entities-panel a.add-entity').count()) > 0, 'top entities listed');
    await page.screenshot({ path: path.join(SHOTS, `dashboard-${tag}.png`), fullPage: width > 600 });

    // 2. type a query: the URL, the documents tile and the timeline change
    await page.fill('#q', 'stargate');
    await page.press('#q', 'Enter');
    await page.waitForURL(/[?&]q=stargate/, { timeout: 10000 });
    const queryDocs = await tileChanges(page, 'tile-documents', allDocs);
    await page.waitForFunction((t) => document.getElementById('timeline').dataset.total !== t, allTotal, { timeout: 30000 });
    const queryTotal = await page.locator('#timeline').getAttribute('data-total');
    check(Number(queryTotal) < Number(allTotal), `timeline narrows: ${queryTotal} < ${allTotal}`);
    check((await page.locator('#timeline').getAttribute('data-series')) === 'stargate', 'one series: stargate');

    // 3. several comma-separated queries: several series side by side
    await page.fill('#q', 'stargate, nvidia');
    await page.press('#q', 'Enter');
    await page.waitForFunction(() => document.getElementById('timeline').dataset.series === 'stargate|nvidia', null, { timeout: 30000 });
    const legend = await page.locator('#timeline .legend span').count();
    check(legend === 2, 'two series in the legend: ' + legend);
    await page.fill('#q', 'stargate');
    await page.press('#q', 'Enter');
    await page.waitForFunction(() => document.getElementById('timeline').dataset.series === 'stargate', null, { timeout: 30000 });

    // 4. click an entity: the URL gains it, the page updates
    const entity = page.locator('#entities-panel a.add-entity', { hasText: 'OpenAI' }).first();
    const entityId = await entity.getAttribute('data-entity');
    check(entityId === 'company:openai', 'OpenAI among the top entities: ' + entityId);
    await entity.click();
    await page.waitForURL((u) => new URL(u).searchParams.get('entity') === 'company:openai', { timeout: 10000 });
    await page.waitForFunction(
      () => (document.getElementById('timeline').dataset.series || '').includes('company:openai'),
      null,
      { timeout: 30000 }
    );
    await page.waitForSelector('.chip[data-chip="entity"]');
    const entityDocs = await tileValue(page, 'tile-documents');
    check(Number(entityDocs) <= Number(queryDocs), `entity narrows the documents: ${entityDocs} <= ${queryDocs}`);
    await page.screenshot({ path: path.join(SHOTS, `dashboard-query-entity-${tag}.png`), fullPage: width > 600 });

    // the export links carry the filters and, with a token, download through fetch
    const href = await page.locator('#entities-panel a.export').getAttribute('href');
    check(href.startsWith('/api/export/entities?format=csv'), 'export link: ' + href);
    if (width === 1280) {
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30000 }), page.locator('#entities-panel a.export').click()]);
      check(download.suggestedFilename() === 'vigie-entities.csv', 'export file name: ' + download.suggestedFilename());
    }

    // 5. the back button returns to the query without the entity
    await page.goBack();
    await page.waitForURL((u) => !new URL(u).searchParams.has('entity') && new URL(u).searchParams.get('q') === 'stargate', { timeout: 10000 });
    await page.waitForFunction(() => document.getElementById('timeline').dataset.series === 'stargate', null, { timeout: 30000 });
    check((await page.inputValue('#q')) === 'stargate', 'the query bar follows the URL');

    // 5b. save the query bar as a search, see it listed, open it from a bare dashboard
    const saved = 'stargate-' + tag;
    page.once('dialog', (d) => d.accept(saved));
    await page.click('#save-search');
    await page.locator('#searches-panel a.open-search', { hasText: saved }).waitFor({ timeout: 30000 });
    await page.goto(BASE + '/');
    await page.waitForSelector('body[data-ready]', { timeout: 30000 });
    await page.locator('#searches-panel a.open-search', { hasText: saved }).click();
    await page.waitForURL((u) => new URL(u).searchParams.get('q') === 'stargate', { timeout: 10000 });
    await page.waitForFunction(() => document.getElementById('timeline').dataset.series === 'stargate', null, { timeout: 30000 });

    // 6. a story from the latest stories: its articles in both languages
    await page.locator('#latest-panel a.story-link').first().click();
    await page.waitForURL(/\/story\//, { timeout: 10000 });
    await page.waitForSelector('body[data-ready]', { timeout: 30000 });
    const fr = await page.locator('#story-fr tr.article').count();
    const en = await page.locator('#story-en tr.article').count();
    check(fr >= 1 && en >= 1, `the stargate story has articles in French (${fr}) and English (${en})`);
    check((await page.locator('#story-entities a.entity-page').count()) > 0, 'the story lists its entities');
    await page.screenshot({ path: path.join(SHOTS, `story-${tag}.png`), fullPage: width > 600 });

    // 7. the entity page from the story
    await page.locator('#story-entities a.entity-page', { hasText: 'OpenAI' }).first().click();
    await page.waitForURL(/\/entity\/company(%3A|:)openai/, { timeout: 10000 });
    await page.waitForSelector('body[data-ready]', { timeout: 30000 });
    check((await page.locator('#entity-title').innerText()) === 'OpenAI', 'entity page titled with its name');
    const wd = await page.locator('#entity-meta .wikidata').innerText();
    check(wd === 'Wikidata Q21708200', 'the knowledge base\'s Wikidata item is shown: ' + wd);
    check((await page.locator('#cooccur-panel tbody tr').count()) > 0, 'co-occurring entities');
    check(Number(await page.locator('#timeline').getAttribute('data-total')) > 0, 'entity timeline');
    check((await page.locator('#entity-docs-panel tbody tr').count()) > 0, 'latest articles of the entity');
    const aliases = await page.locator('#entity-aliases').innerText();
    check(aliases.startsWith('written as: ') && aliases.includes('OpenAI'), 'the forms the entity is written in: ' + aliases);
    await page.screenshot({ path: path.join(SHOTS, `entity-${tag}.png`), fullPage: width > 600 });

    // 8. topics
    await page.goto(BASE + '/topics');
    await page.waitForSelector('body[data-ready]', { timeout: 30000 });
    check((await page.locator('#topics-panel tbody tr').count()) > 0, 'topics listed');
    await page.screenshot({ path: path.join(SHOTS, `topics-${tag}.png`), fullPage: width > 600 });

    // 9. alerts: add one through the page, see it listed, test it, delete it
    await page.goto(BASE + '/alerts');
    await page.waitForSelector('body[data-ready]', { timeout: 30000 });
    {
      const name = 'browser-' + tag;
      // started from the saved search: its query comes into the form
      await page.selectOption('#from-search', saved);
      check((await page.inputValue('#alert-form input[name=query]')) === 'stargate', 'the saved search fills the alert query');
      await page.fill('#alert-form input[name=name]', name);
      await page.selectOption('#alert-form select[name=lang]', 'fr');
      await page.click('#alert-form button[type=submit]');
      await page.locator('#alerts-panel .alert-name', { hasText: name }).waitFor({ timeout: 30000 });
      await page.locator(`button.test-alert[data-name="${name}"]`).click();
      await page.locator('#alert-test-panel .meta').waitFor({ timeout: 30000 });
      const meta = await page.locator('#alert-test-panel .meta').innerText();
      check(/^[1-9]\d* matching documents/.test(meta), 'the French stargate articles match the new rule: ' + meta);
      page.once('dialog', (d) => d.accept());
      await page.locator(`button.delete-alert[data-name="${name}"]`).click();
      await page.locator('#alerts-panel .alert-name', { hasText: name }).waitFor({ state: 'detached', timeout: 30000 });
    }
    {
      // a daily digest 8 h past midnight UTC: the offset field comes with a period, and
      // the list shows when the running period ends, the first 08:00 UTC after now
      const name = 'digest-' + tag;
      check(await page.locator('#digest-offset-field').isHidden(), 'no digest offset without a digest period');
      await page.fill('#alert-form input[name=name]', name);
      await page.fill('#alert-form input[name=query]', 'nvidia');
      await page.fill('#alert-form input[name=digest]', '1d');
      await page.locator('#digest-offset-field').waitFor({ state: 'visible', timeout: 30000 });
      await page.fill('#alert-form input[name=digest_offset]', '8h');
      const eightUtc = (t) => {
        const d = new Date(t);
        let next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 8);
        if (next <= t) next += 86400000;
        return new Date(next).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
      };
      const before = eightUtc(Date.now());
      await page.click('#alert-form button[type=submit]');
      const row = page.locator('#alerts-panel tr.alert-row', { has: page.locator('.alert-name', { hasText: name }) });
      await row.waitFor({ timeout: 30000 });
      const after = eightUtc(Date.now());
      const next = (await row.locator('.next-digest').textContent()).trim();
      check(next === before || next === after, `the next digest is the first 08:00 UTC from now (${before}): ${next}`);
      // (at 390 px the optional columns are hidden)
      if (width > 700) check(await row.locator('.next-digest').isVisible(), 'the next digest shown');
      const digest = (await row.locator('.digest').textContent()).trim();
      check(digest === '1d + 8h', 'the digest and its offset listed: ' + digest);
      check(await page.locator('#digest-offset-field').isHidden(), 'the emptied form hides the digest offset again');
    }
    await page.screenshot({ path: path.join(SHOTS, `alerts-${tag}.png`), fullPage: width > 600 });

    // the layout fits the width (nothing wider than the window)
    await page.goto(BASE + '/');
    await page.waitForSelector('body[data-ready]', { timeout: 30000 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 1, `no horizontal scrolling at ${width} px (${overflow} px too wide)`);
    if (DOCS_SHOT && width === 1280) await page.screenshot({ path: DOCS_SHOT, fullPage: true });

    check(errors.length === 0, 'no script errors: ' + errors.join('; '));
    check(foreign.length === 0, 'no request leaves the server: ' + foreign.join(', '));
    console.log(`dashboard at ${width} px: ok (documents ${allDocs} → ${queryDocs} → ${entityDocs}, timeline ${allTotal} → ${queryTotal})`);
  } catch (e) {
    await page.screenshot({ path: path.join(SHOTS, `failure-${tag}.png`), fullPage: true }).catch(() => {});
    throw new Error(`at ${width} px: ${e.message}`);
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

try {
  await run(1280, 900);
  await run(390, 844);
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
