// vigie dashboard: fills the server-rendered pages from the JSON API (/api/*).
// No framework, no external asset: the state is the URL's query string, so every view is
// a link (bookmark it, share it, the back button works).
'use strict';

const TOKEN_KEY = 'vigie.token';
// the filters every page carries in its URL (and passes on to the API)
const FILTERS = ['q', 'since', 'until', 'lang', 'source', 'entity', 'topic', 'by'];
const COLORS = ['#1f4e79', '#d9822b', '#2e7d32', '#8e24aa', '#c62828', '#00838f', '#6d4c41', '#5c6bc0'];

// ---------------------------------------------------------------- the token
// `?token=T` once (a link the operator shares): kept for this tab, removed from the URL
(function takeToken() {
  const url = new URL(location.href);
  const t = url.searchParams.get('token');
  if (t) {
    sessionStorage.setItem(TOKEN_KEY, t);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
  }
})();

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

// ---------------------------------------------------------------- helpers
const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

function fmt(n) {
  return n == null ? '–' : Number(n).toLocaleString('en-US');
}

function pct(x, digits = 1) {
  return x == null || !isFinite(x) ? '–' : (100 * x).toFixed(digits) + ' %';
}

function day(iso) {
  return iso ? String(iso).slice(0, 10) : '';
}

function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v == null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => u.append(k, x));
    else u.append(k, v);
  }
  const s = u.toString();
  return s ? '?' + s : '';
}

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(path, options = {}) {
  const headers = Object.assign({ Accept: 'application/json' }, options.headers || {});
  const t = token();
  if (t) headers.Authorization = 'Bearer ' + t;
  const res = await fetch(path, Object.assign({}, options, { headers }));
  if (res.status === 401) askToken();
  let body = null;
  const text = await res.text();
  try {
    body = text ? JSON.parse(text) : null;
  } catch (e) {
    body = { error: text };
  }
  if (!res.ok) throw new ApiError(res.status, (body && body.error) || res.statusText);
  return body;
}

function askToken() {
  const n = $('#notice');
  if (!n || $('#token-form')) return;
  n.hidden = false;
  n.className = 'notice warn';
  n.innerHTML =
    'This server needs a token.' +
    '<form id="token-form"><input type="password" name="token" placeholder="token" aria-label="token">' +
    '<button type="submit">Use it</button></form>';
  $('#token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, new FormData(e.target).get('token'));
    location.reload();
  });
}

function notice(msg, kind = 'error') {
  const n = $('#notice');
  n.hidden = false;
  n.className = 'notice ' + kind;
  n.textContent = msg;
}

// ---------------------------------------------------------------- the URL state
function state() {
  const u = new URLSearchParams(location.search);
  const s = {};
  for (const k of FILTERS) s[k] = u.get(k) || '';
  return s;
}

function filtersOf(s, keys = ['lang', 'since', 'until', 'source', 'topic']) {
  const o = {};
  for (const k of keys) if (s[k]) o[k] = s[k];
  return o;
}

// a new URL state: pushed to the history (back returns to the previous view), then drawn
function go(changes) {
  const s = Object.assign(state(), changes);
  const u = new URLSearchParams();
  for (const k of FILTERS) if (s[k]) u.set(k, s[k]);
  const search = u.toString() ? '?' + u.toString() : '';
  if (search !== location.search) history.pushState(null, '', location.pathname + search);
  render();
}

function keepFilters(href) {
  const f = filtersOf(state(), ['since', 'until', 'lang', 'source']);
  return href + qs(f);
}

// the query bar's text: several comma-separated queries are several series
function queries(s) {
  const qs_ = (s.q || '').split(',').map((x) => x.trim()).filter(Boolean);
  return qs_.length ? qs_ : ['*'];
}

function combined(qs_) {
  return qs_.length === 1 ? qs_[0] : qs_.map((x) => '(' + x + ')').join(' OR ');
}

// a timeline series for a query and an optional entity
function seriesFor(q, entity) {
  if (!entity) return q;
  if (q === '*') return entity;
  return '(' + q + ') AND ent:"' + entity + '"';
}

// ---------------------------------------------------------------- exports
function exportHref(what, params) {
  return '/api/export/' + what + qs(Object.assign({ format: 'csv' }, params));
}

function setExport(panel, what, params) {
  const a = $('.export', panel);
  if (a) a.href = exportHref(what, params);
}

// with a token a plain link cannot send it: fetch the file and hand it over as a blob
document.addEventListener('click', async (e) => {
  const a = e.target.closest && e.target.closest('a.export');
  if (!a || !token()) return;
  e.preventDefault();
  try {
    const res = await fetch(a.href, { headers: { Authorization: 'Bearer ' + token() } });
    if (!res.ok) throw new Error((await res.text()) || res.statusText);
    const blob = await res.blob();
    const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') || '');
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = name ? name[1] : 'vigie-export.csv';
    document.body.appendChild(link);
    link.click();
    setTimeout(() => {
      URL.revokeObjectURL(link.href);
      link.remove();
    }, 1000);
  } catch (err) {
    notice('export failed: ' + err.message);
  }
});

// ---------------------------------------------------------------- rendering pieces
function table(cols, rows, empty = 'nothing here') {
  if (!rows.length) return '<p class="empty">' + esc(empty) + '</p>';
  const head = cols.map((c) => '<th class="' + (c.cls || '') + '">' + esc(c.title) + '</th>').join('');
  const body = rows
    .map((r) => '<tr>' + cols.map((c) => '<td class="' + (c.cls || '') + '">' + c.cell(r) + '</td>').join('') + '</tr>')
    .join('');
  return '<table><thead><tr>' + head + '</tr></thead><tbody>' + body + '</tbody></table>';
}

function fill(panel, html) {
  const body = $('.body', panel);
  if (body) body.innerHTML = html;
}

function failed(panel, err) {
  fill(panel, '<p class="error-line">' + esc(err.message || err) + '</p>');
}

function storyLink(id, text) {
  return '<a class="story-link" href="' + esc(keepFilters('/story/' + encodeURIComponent(id))) + '">' + esc(text) + '</a>';
}

function entityLink(id, text) {
  return '<a class="entity-page" href="' + esc(keepFilters('/entity/' + encodeURIComponent(id))) + '">' + esc(text || id) + '</a>';
}

function articleRow(h) {
  const title = h.url
    ? '<a href="' + esc(h.url) + '" rel="noopener noreferrer" target="_blank">' + esc(h.title || h.id) + '</a>'
    : esc(h.title || h.id);
  const copy = h.dup_of ? '<span class="tag copy" title="a copy of ' + esc(h.dup_of) + '">copy</span>' : '';
  return title + '<span class="tag">' + esc(h.lang) + '</span>' + copy + '<span class="sub">' + esc(h.source || '') + ' · ' + esc(day(h.published)) + '</span>';
}

function setTile(id, value, title, change) {
  const t = document.getElementById(id);
  if (!t) return;
  const v = $('.value', t);
  v.textContent = value;
  t.dataset.value = value;
  if (title) t.title = title;
  const c = $('.change', t);
  c.className = 'change';
  c.textContent = '';
  if (change != null && isFinite(change)) {
    c.textContent = (change >= 0 ? '+' : '') + (100 * change).toFixed(0) + ' % vs previous period';
    c.classList.add(change > 0 ? 'up' : change < 0 ? 'down' : 'flat');
  } else if (typeof change === 'string') {
    c.textContent = change;
  }
}

// ---------------------------------------------------------------- the timeline chart (inline SVG)
function drawTimeline(el, rows, metric, opts = {}) {
  const series = [];
  const periods = [];
  const values = new Map();
  for (const r of rows) {
    if (!series.includes(r.series)) series.push(r.series);
    if (!periods.includes(r.period)) periods.push(r.period);
    const v = metric === 'share' ? r.share : r[metric];
    values.set(r.period + '\u0000' + r.series, Number(v) || 0);
  }
  periods.sort();
  const total = rows.reduce((a, r) => a + (Number(r[metric === 'share' ? 'documents' : metric]) || 0), 0);
  el.dataset.total = String(total);
  el.dataset.series = series.join('|');
  if (!periods.length) {
    el.innerHTML = '<p class="empty">no dated documents match</p>';
    return;
  }
  // drawn at the width it is shown at, so that the labels keep their size on a phone
  const W = Math.max(300, Math.round(el.clientWidth || 900)), H = W < 600 ? 200 : 240, L = 40, R = 8, T = 10, B = 28;
  const top = Math.max(1e-9, ...Array.from(values.values()));
  // round ticks: counts in whole steps, shares in round percentages
  const raw = top / 4;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = metric === 'share' ? [1, 2, 2.5, 5, 10].map((m) => m * mag).find((x) => x >= raw) : Math.max(1, [1, 2, 5, 10].map((m) => m * mag).find((x) => x >= raw));
  const max = step * Math.ceil(top / step);
  const n = periods.length, k = series.length;
  const slot = (W - L - R) / n;
  const bar = Math.max(1, Math.min(24, (slot * 0.8) / k));
  const y = (v) => T + (H - T - B) * (1 - v / max);
  let svg = '<svg viewBox="0 0 ' + W + ' ' + H + '" role="img" aria-label="timeline">';
  for (let v = 0; v <= max + 1e-9; v += step) {
    const yy = y(v).toFixed(1);
    svg += '<line class="axis" x1="' + L + '" x2="' + (W - R) + '" y1="' + yy + '" y2="' + yy + '"/>';
    const label = metric === 'share' ? +(100 * v).toFixed(1) + '%' : fmt(Math.round(v));
    svg += '<text x="' + (L - 6) + '" y="' + (Number(yy) + 4) + '" text-anchor="end">' + label + '</text>';
  }
  const every = Math.max(1, Math.ceil(n / Math.max(2, Math.floor(W / 90))));
  periods.forEach((p, i) => {
    const x0 = L + i * slot + (slot - bar * k) / 2;
    series.forEach((s, j) => {
      const v = values.get(p + '\u0000' + s) || 0;
      if (!v) return;
      const yy = y(v);
      svg +=
        '<rect x="' + (x0 + j * bar).toFixed(1) + '" y="' + yy.toFixed(1) + '" width="' + (bar - (k > 1 ? 0.5 : 0)).toFixed(1) +
        '" height="' + (H - B - yy).toFixed(1) + '" fill="' + COLORS[j % COLORS.length] + '"><title>' +
        esc(s + ' · ' + p + ': ' + (metric === 'share' ? pct(v) : fmt(v) + ' ' + metric)) + '</title></rect>';
    });
    // labels kept inside the chart (a label is about 60 px wide)
    const lx = Math.min(W - R - 32, Math.max(L + 30, L + i * slot + slot / 2));
    if (i % every === 0) svg += '<text x="' + lx.toFixed(1) + '" y="' + (H - 8) + '" text-anchor="middle">' + esc(p) + '</text>';
  });
  svg += '</svg>';
  const legend = series
    .map((s, j) => '<span><i style-color="' + j + '"></i>' + esc(opts.label ? opts.label(s) : s) + '</span>')
    .join('');
  el.innerHTML = svg + '<div class="legend">' + legend + '</div>';
  // colours set through the CSSOM (the page allows no inline style attribute)
  $$('.legend i', el).forEach((i) => (i.style.background = COLORS[Number(i.getAttribute('style-color')) % COLORS.length]));
}

// ---------------------------------------------------------------- the dashboard
async function dashboard() {
  const s = state();
  const qs_ = queries(s);
  const q = combined(qs_);
  const filters = filtersOf(s);
  const searchParams = Object.assign({ q }, filters, s.entity ? { entity: s.entity } : {});

  // the query bar shows the URL
  $('#q').value = s.q;
  $('#since').value = s.since;
  $('#until').value = s.until;
  $('#lang').value = s.lang;
  $('#by').value = s.by || 'week';
  fillSources(s.source);

  // the filters that are not in the bar: chips with a remove button
  const chips = [];
  if (s.entity) chips.push(['entity', 'entity: ' + s.entity]);
  if (s.topic) chips.push(['topic', 'topic: ' + s.topic]);
  $('#chips').innerHTML = chips
    .map(([k, label]) => '<span class="chip" data-chip="' + k + '">' + esc(label) + '<button type="button" aria-label="remove" data-remove="' + k + '">×</button></span>')
    .join('');

  const jobs = [
    tiles(s, searchParams),
    timeline(s, qs_),
    topEntities(s),
    rising(s),
    terms(s, searchParams),
    storiesAndSources(s, searchParams),
    savedSearches(),
  ];
  await Promise.allSettled(jobs);
  document.body.dataset.ready = String(Date.now());
}

// ---------------------------------------------------------------- saved searches
// a saved search as URL state: its query and filters replace the current ones
function searchState(x) {
  return { q: x.query === '*' ? '' : x.query, lang: x.lang || '', since: x.since || '', until: x.until || '', source: x.source || '', entity: x.entity || '', topic: x.topic || '' };
}

async function savedSearches() {
  const panel = $('#searches-panel');
  try {
    const rows = await api('/api/searches');
    const filters = (x) => ['lang', 'since', 'until', 'source', 'entity', 'topic'].filter((k) => x[k]).map((k) => k + ' ' + x[k]).join(' · ');
    fill(
      panel,
      table(
        [
          { title: 'Name', cell: (x) => '<a href="#" class="open-search" data-name="' + esc(x.name) + '">' + esc(x.name) + '</a><span class="sub">' + esc(x.query) + '</span>' },
          { title: 'Filters', cls: 'opt', cell: (x) => esc(filters(x)) },
          { title: '', cls: 'num', cell: (x) => '<button type="button" class="danger delete-search" data-name="' + esc(x.name) + '" aria-label="delete">×</button>' },
        ],
        rows,
        'none yet: Save keeps the query bar'
      )
    );
    panel.savedRows = rows;
  } catch (e) {
    failed(panel, e);
  }
}

async function saveSearch() {
  const s = state();
  const name = prompt('Name of this search (letters, digits, . _ -)');
  if (!name) return;
  const body = { name: name.trim(), query: combined(queries(s)) };
  for (const k of ['lang', 'since', 'until', 'source', 'entity', 'topic']) if (s[k]) body[k] = s[k];
  try {
    await api('/api/searches', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    notice('saved the search ' + body.name, 'ok');
    await savedSearches();
  } catch (e) {
    notice('not saved: ' + e.message);
  }
}

let sourcesLoaded = null;
async function fillSources(selected) {
  const sel = $('#source');
  if (!sourcesLoaded) {
    sourcesLoaded = api('/api/stats')
      .then((st) => {
        Object.keys(st.sources || {})
          .sort((a, b) => a.localeCompare(b))
          .forEach((name) => {
            const o = document.createElement('option');
            o.value = o.textContent = name;
            sel.appendChild(o);
          });
      })
      .catch(() => {});
  }
  await sourcesLoaded;
  if (selected && !Array.from(sel.options).some((o) => o.value === selected)) {
    const o = document.createElement('option');
    o.value = o.textContent = selected;
    sel.appendChild(o);
  }
  sel.value = selected || '';
}

async function tiles(s, searchParams) {
  try {
    // each count is {value, previous, change}: change against the previous period of
    // equal length, null when there is none to compare with
    const sum = await api('/api/summary' + qs(searchParams));
    setTile('tile-documents', fmt(sum.documents.value), 'documents matching the query and filters', sum.documents.change);
    setTile('tile-stories', fmt(sum.stories.value), 'stories of the matching documents', sum.stories.change);
    setTile('tile-copies', pct(sum.copy_rate.value), 'share of matching documents that copy another', sum.copy_rate.change);
  } catch (e) {
    ['tile-documents', 'tile-stories', 'tile-copies'].forEach((t) => setTile(t, '–', e.message));
    notice(e.message);
  }
}

async function timeline(s, qs_) {
  const panel = $('#timeline-panel');
  const el = $('#timeline');
  const metricSel = $('#metric');
  const metric = metricSel.value || 'documents';
  const series = qs_.map((q) => seriesFor(q, s.entity));
  const params = Object.assign({ series, by: s.by || 'week' }, filtersOf(s));
  if (metric === 'share') params.normalize = true;
  setExport(panel, 'timeline', Object.assign({}, params, { normalize: undefined }));
  try {
    const rows = await api('/api/timeline' + qs(params));
    drawTimeline(el, rows, metric, { label: (x) => (x === '*' ? 'all documents' : x) });
  } catch (e) {
    el.innerHTML = '<p class="error-line">' + esc(e.message) + '</p>';
  }
}

async function topEntities(s) {
  const panel = $('#entities-panel');
  const params = Object.assign({ top: 15 }, filtersOf(s));
  setExport(panel, 'entities', filtersOf(s));
  try {
    const rows = await api('/api/entities' + qs(params));
    fill(
      panel,
      table(
        [
          { title: 'Entity', cell: (r) => '<a class="add-entity" href="#" data-entity="' + esc(r.id) + '" title="add to the query">' + esc(r.name) + '</a><span class="tag">' + esc(r.type) + '</span>' },
          { title: 'Docs', cls: 'num', cell: (r) => fmt(r.documents) },
          { title: 'Stories', cls: 'num opt', cell: (r) => fmt(r.stories) },
          { title: '', cls: 'num', cell: (r) => entityLink(r.id, 'page →') },
        ],
        rows,
        'no entities'
      )
    );
  } catch (e) {
    failed(panel, e);
  }
}

async function rising(s) {
  const ep = $('#rising-panel'), tp = $('#rising-topics-panel');
  const f = filtersOf(s, ['lang', 'source']);
  setExport(ep, 'trends', f);
  setExport(tp, 'topics', f);
  try {
    const t = await api('/api/trends' + qs(Object.assign({ top: 10 }, f)));
    const ratio = (r) => (r.new ? '<span class="tag">new</span>' : '×' + Number(r.ratio).toFixed(1));
    fill(
      ep,
      table(
        [
          { title: 'Entity', cell: (r) => entityLink(r.id, r.name) + '<span class="tag">' + esc(r.type) + '</span>' },
          { title: 'Window', cls: 'num', cell: (r) => fmt(r.window_count) },
          { title: 'vs usual', cls: 'num', cell: ratio },
        ],
        t.entities || [],
        'nothing unusual in the last window'
      )
    );
    fill(
      tp,
      table(
        [
          { title: 'Topic', cell: (r) => '<a href="' + esc(keepFilters('/') + (keepFilters('/').includes('?') ? '&' : '?') + 'topic=' + encodeURIComponent(r.id)) + '">' + esc(r.name) + '</a>' },
          { title: 'Window', cls: 'num', cell: (r) => fmt(r.window_count) },
          { title: 'vs usual', cls: 'num', cell: ratio },
        ],
        t.topics || [],
        'nothing unusual in the last window'
      )
    );
  } catch (e) {
    failed(ep, e);
    failed(tp, e);
  }
}

async function terms(s, searchParams) {
  const panel = $('#terms-panel');
  try {
    const body = await api('/api/terms' + qs(Object.assign({}, searchParams, { top: 15 })));
    const rows = body;
    fill(
      panel,
      table(
        [
          { title: 'Term', cell: (r) => esc(r.term) + '<span class="tag">' + esc(r.lang) + '</span>' },
          { title: 'Docs', cls: 'num', cell: (r) => fmt(r.documents) },
          { title: 'Score', cls: 'num opt', cell: (r) => (r.score == null ? '' : Number(r.score).toFixed(3)) },
        ],
        rows,
        'no terms'
      )
    );
  } catch (e) {
    failed(panel, e);
  }
}

// latest and largest stories, top sources and the sources tile, latest articles
async function storiesAndSources(s, searchParams) {
  const latest = $('#latest-panel'), largest = $('#largest-panel'), sources = $('#sources-panel'), docs = $('#docs-panel');
  setExport(latest, 'stories', filtersOf(s));
  setExport(largest, 'stories', filtersOf(s));
  setExport(docs, 'documents', filtersOf(s));
  setExport(sources, 'documents', filtersOf(s));
  // every story and source of the matching documents, counted by the server
  const storyCols = [
    { title: 'Story', cell: (g) => storyLink(g.story_id, g.title || g.story_id) + '<span class="sub">' + esc(g.languages.join(' · ')) + ' · ' + esc(day(g.last)) + '</span>' },
    { title: 'Docs', cls: 'num', cell: (g) => fmt(g.documents) },
    { title: 'Sources', cls: 'num opt', cell: (g) => fmt(g.sources) },
  ];
  const stories = (order, panel) =>
    api('/api/stories' + qs(Object.assign({}, searchParams, { order, top: 8 })))
      .then((rows) => fill(panel, table(storyCols, rows, 'no stories match')))
      .catch((e) => failed(panel, e));
  const articles = api('/api/search' + qs(Object.assign({}, searchParams, { limit: 10, sort: 'date' })))
    .then((res) => fill(docs, table([{ title: 'Article', cell: articleRow }, { title: '', cls: 'num', cell: (h) => (h.story_id ? storyLink(h.story_id, 'story →') : '') }], res.hits || [], 'no documents match')))
    .catch((e) => failed(docs, e));
  const sourceRows = api('/api/sources' + qs(Object.assign({}, searchParams, { top: 1000 })))
    .then((rows) => {
      setTile('tile-sources', fmt(rows.length), 'sources of the matching documents');
      fill(
        sources,
        table(
          [
            { title: 'Source', cell: (r) => (r.source == null ? '(none)' : '<a href="#" class="set-source" data-source="' + esc(r.source) + '">' + esc(r.source) + '</a>') },
            { title: 'Docs', cls: 'num', cell: (r) => fmt(r.documents) },
            { title: 'Share', cls: 'num', cell: (r) => pct(r.share) },
          ],
          rows.slice(0, 10),
          'no sources'
        )
      );
    })
    .catch((e) => {
      failed(sources, e);
      setTile('tile-sources', '–', e.message);
    });
  await Promise.allSettled([stories('latest', latest), stories('size', largest), articles, sourceRows]);
}

function wireDashboard() {
  $('#querybar').addEventListener('submit', (e) => {
    e.preventDefault();
    go({ q: $('#q').value.trim(), since: $('#since').value, until: $('#until').value, lang: $('#lang').value, source: $('#source').value });
  });
  ['#lang', '#source', '#since', '#until'].forEach((sel) => $(sel).addEventListener('change', () => $('#querybar').requestSubmit()));
  $('#by').addEventListener('change', () => go({ by: $('#by').value === 'week' ? '' : $('#by').value }));
  $('#metric').addEventListener('change', () => timeline(state(), queries(state())));
  $('#save-search').addEventListener('click', saveSearch);
  document.addEventListener('click', async (e) => {
    const open = e.target.closest('a.open-search');
    if (open) {
      e.preventDefault();
      const x = ($('#searches-panel').savedRows || []).find((r) => r.name === open.dataset.name);
      if (x) go(searchState(x));
      return;
    }
    const del = e.target.closest('button.delete-search');
    if (del) {
      try {
        await api('/api/searches/' + encodeURIComponent(del.dataset.name), { method: 'DELETE' });
        await savedSearches();
      } catch (err) {
        notice(err.message);
      }
      return;
    }
    const add = e.target.closest('a.add-entity');
    if (add) {
      e.preventDefault();
      go({ entity: add.dataset.entity });
      return;
    }
    const src = e.target.closest('a.set-source');
    if (src) {
      e.preventDefault();
      go({ source: src.dataset.source });
      return;
    }
    const rm = e.target.closest('button[data-remove]');
    if (rm) go({ [rm.dataset.remove]: '' });
  });
}

// ---------------------------------------------------------------- the story page
function idFromPath(prefix) {
  return decodeURIComponent(location.pathname.slice(prefix.length));
}

async function storyPage() {
  const id = idFromPath('/story/');
  try {
    const r = await api('/api/stories/' + encodeURIComponent(id));
    const first = (r.articles || []).find((a) => !a.dup_of) || (r.articles || [])[0] || {};
    $('#story-title').textContent = first.title || r.id;
    document.title = (first.title || r.id) + ' · vigie';
    const topic = r.topic_id
      ? 'topic <a href="' + esc(keepFilters('/') + (keepFilters('/').includes('?') ? '&' : '?') + 'topic=' + encodeURIComponent(r.topic_id)) + '">' + esc(r.topic_label || r.topic_id) + '</a>'
      : 'no topic yet';
    $('#story-meta').innerHTML = 'story ' + esc(r.id) + ' · ' + esc(day(r.first)) + (r.last && day(r.last) !== day(r.first) ? ' → ' + esc(day(r.last)) : '') + ' · ' + topic;
    const copies = (r.documents || 0) - (r.originals || 0);
    $('#story-tiles').innerHTML = [
      ['Articles', fmt(r.documents)],
      ['Copies', fmt(copies)],
      ['Sources', fmt(Object.keys(r.sources || {}).length)],
      ['Languages', Object.entries(r.languages || {}).map(([l, n]) => l + ' ' + n).join(' · ')],
    ]
      .map(([l, v]) => '<div class="tile"><span class="label">' + esc(l) + '</span><span class="value">' + esc(v) + '</span></div>')
      .join('');
    const arts = r.articles || [];
    const cols = [
      { title: 'Article', cell: (a) => articleRow(a) },
      { title: '', cls: 'num', cell: (a) => '<button type="button" class="secondary read" data-doc="' + esc(a.id) + '">Read</button>' },
    ];
    const byLang = (pred) => arts.filter(pred);
    $('#story-fr .body').innerHTML = table(cols, byLang((a) => a.lang === 'fr'), 'no article in French');
    $('#story-en .body').innerHTML = table(cols, byLang((a) => a.lang === 'en'), 'no article in English');
    const others = byLang((a) => a.lang !== 'fr' && a.lang !== 'en');
    $('#story-others').hidden = !others.length;
    $('#story-others .body').innerHTML = table(cols, others);
    $$('#story-fr tbody tr, #story-en tbody tr, #story-others tbody tr').forEach((tr) => tr.classList.add('article'));
    const src = Object.entries(r.sources || {}).sort((a, b) => b[1] - a[1]);
    $('#story-sources .body').innerHTML = table([{ title: 'Source', cell: (x) => esc(x[0]) }, { title: 'Articles', cls: 'num', cell: (x) => fmt(x[1]) }], src, 'no sources');
    $('#story-entities .body').innerHTML = table(
      [{ title: 'Entity', cell: (e) => entityLink(e.id, e.name) + '<span class="tag">' + esc(e.id.split(':')[0]) + '</span>' }, { title: 'Articles', cls: 'num', cell: (e) => fmt(e.documents) }],
      r.top_entities || [],
      'no entities'
    );
  } catch (e) {
    $('#story-title').textContent = 'Story ' + id;
    notice(e.status === 404 ? 'no story or article with id ' + id : e.message);
  }
  document.addEventListener('click', async (e) => {
    const b = e.target.closest('button.read');
    if (!b) return;
    const reader = $('#story-reader');
    try {
      const d = await api('/api/documents/' + encodeURIComponent(b.dataset.doc));
      $('#reader-title').textContent = d.title || d.id;
      $('.body', reader).innerHTML = '<div class="reader">' + esc(d.body || d.text || '') + '</div>';
      reader.hidden = false;
      reader.scrollIntoView({ behavior: 'smooth' });
    } catch (err) {
      notice(err.message);
    }
  });
  $('#reader-close').addEventListener('click', () => ($('#story-reader').hidden = true));
  document.body.dataset.ready = String(Date.now());
}

// ---------------------------------------------------------------- the entity page
async function entityPage() {
  const id = idFromPath('/entity/');
  const s = state();
  const f = filtersOf(s);
  $('#entity-title').textContent = id;
  const jobs = [];
  jobs.push(
    api('/api/entities' + qs(Object.assign({ top: 10000, type: id.split(':')[0] }, f)))
      .then((rows) => {
        const e = rows.find((r) => r.id === id);
        if (!e) {
          $('#entity-meta').textContent = 'no document the filters keep mentions ' + id;
          return;
        }
        $('#entity-title').textContent = e.name;
        document.title = e.name + ' · vigie';
        $('#entity-meta').innerHTML =
          esc(e.type) + ' · ' + esc(e.id) + ' · ' + fmt(e.documents) + ' documents, ' + fmt(e.stories) + ' stories, ' + fmt(e.mentions) + ' mentions · ' +
          esc(day(e.first_seen)) + ' → ' + esc(day(e.last_seen)) +
          // the item as text: the dashboard links nowhere outside the server
          (e.wikidata ? ' · <span class="wikidata" title="Wikidata item">Wikidata ' + esc(e.wikidata) + '</span>' : '') +
          ' · <a href="' + esc(keepFilters('/') + (keepFilters('/').includes('?') ? '&' : '?') + 'entity=' + encodeURIComponent(id)) + '">on the dashboard</a>';
      })
      .catch((e) => notice(e.message))
  );
  const tparams = Object.assign({ series: [id], by: s.by || 'week' }, f);
  setExport($('#entity-timeline-panel'), 'timeline', tparams);
  jobs.push(
    api('/api/timeline' + qs(tparams))
      .then((rows) => drawTimeline($('#timeline'), rows, 'documents'))
      .catch((e) => ($('#timeline').innerHTML = '<p class="error-line">' + esc(e.message) + '</p>'))
  );
  jobs.push(
    api('/api/cooccur' + qs(Object.assign({ entity: id, top: 15 }, f)))
      .then((rows) =>
        fill(
          $('#cooccur-panel'),
          table(
            [
              { title: 'Entity', cell: (r) => entityLink(r.id, r.name) + '<span class="tag">' + esc(r.type) + '</span>' },
              { title: 'Stories', cls: 'num', cell: (r) => fmt(r.stories) },
              { title: 'Lift', cls: 'num opt', cell: (r) => Number(r.lift).toFixed(2) },
            ],
            rows,
            'no entity shares a story with it'
          )
        )
      )
      .catch((e) => failed($('#cooccur-panel'), e))
  );
  setExport($('#entity-docs-panel'), 'documents', f);
  jobs.push(
    api('/api/search' + qs(Object.assign({ q: '*', entity: id, sort: 'date', limit: 20 }, f)))
      .then(async (res) => {
        await entityAliases(id, (res.hits || []).slice(0, 10));
        return res;
      })
      .then((res) =>
        fill($('#entity-docs-panel'), table([{ title: 'Article', cell: articleRow }, { title: '', cls: 'num', cell: (h) => (h.story_id ? storyLink(h.story_id, 'story →') : '') }], res.hits || [], 'no articles'))
      )
      .catch((e) => failed($('#entity-docs-panel'), e))
  );
  await Promise.allSettled(jobs);
  document.body.dataset.ready = String(Date.now());
}

// the forms an entity is written in, from its latest articles' entity lists
async function entityAliases(id, hits) {
  const forms = new Map();
  const docs = await Promise.all(hits.map((h) => api('/api/documents/' + encodeURIComponent(h.id)).catch(() => null)));
  for (const d of docs) {
    const e = d && (d.entities || []).find((x) => x.id === id);
    for (const f of (e && e.surface) || []) forms.set(f, (forms.get(f) || 0) + 1);
  }
  const list = [...forms.entries()].sort((a, b) => b[1] - a[1]).map(([f]) => f);
  $('#entity-aliases').textContent = list.length ? 'written as: ' + list.join(', ') : '';
}

// ---------------------------------------------------------------- the topics page
async function topicsPage() {
  const s = state();
  const f = filtersOf(s, ['lang', 'since', 'until', 'source']);
  const panel = $('#topics-panel');
  setExport(panel, 'topics', f);
  try {
    const rows = await api('/api/topics' + qs(Object.assign({ limit: 200 }, f)));
    const kw = (r) =>
      Object.entries(r.keywords || {})
        .map(([l, words]) => '<span class="sub"><b>' + esc(l) + '</b> ' + esc((words || []).slice(0, 8).join(', ')) + '</span>')
        .join('');
    fill(
      panel,
      table(
        [
          { title: 'Topic', cell: (r) => '<a href="' + esc(keepFilters('/') + (keepFilters('/').includes('?') ? '&' : '?') + 'topic=' + encodeURIComponent(r.id)) + '">' + esc(r.label || r.id) + '</a>' + kw(r) },
          { title: 'Articles', cls: 'num', cell: (r) => fmt(r.size) },
          { title: 'Stories', cls: 'num', cell: (r) => fmt(r.stories) },
          { title: 'Languages', cls: 'num opt', cell: (r) => esc(Object.entries(r.languages || {}).map(([l, n]) => l + ' ' + n).join(' · ')) },
          { title: 'Entities', cls: 'opt', cell: (r) => '<span class="entity-list">' + (r.top_entities || []).slice(0, 5).map((e) => entityLink(e.id, e.name)).join(' ') + '</span>' },
          { title: 'Dates', cls: 'opt', cell: (r) => esc(day(r.first)) + ' → ' + esc(day(r.last)) },
        ],
        rows,
        'no topics yet (they are built at ingest)'
      )
    );
  } catch (e) {
    failed(panel, e);
  }
  document.body.dataset.ready = String(Date.now());
}

// ---------------------------------------------------------------- the alerts page
function notifyText(n) {
  if (n == null) return '';
  if (typeof n === 'string') return n;
  if (n.webhook) return 'webhook:' + (n.webhook.url || '');
  if (n.file) return 'file:' + (n.file.path || '');
  if (n.url) return 'webhook:' + n.url;
  if (n.path) return 'file:' + n.path;
  // alert.v1's sinks are tagged by `kind` (`{"kind": "stdout"}`)
  if (n.kind) return n.kind;
  return Object.keys(n).join(', ');
}

function seconds(s) {
  return s % 86400 === 0 ? s / 86400 + 'd' : s % 3600 === 0 ? s / 3600 + 'h' : s % 60 === 0 ? s / 60 + 'm' : s + 's';
}

function digestText(r) {
  if (r.digest) return String(r.digest);
  if (r.digest_seconds) return seconds(r.digest_seconds) + (r.digest_offset_seconds ? ' + ' + seconds(r.digest_offset_seconds) : '');
  return 'each match';
}

// digest periods end on the UTC calendar: their end is shown in UTC
function utcText(iso) {
  return iso ? String(iso).replace('T', ' ').replace(/(:00)?(\.\d+)?(Z|\+00:00)$/, '') + ' UTC' : '';
}

async function alertsList() {
  const panel = $('#alerts-panel');
  let body;
  try {
    body = await api('/api/alerts');
  } catch (e) {
    failed(panel, e);
    return;
  }
  const rows = body;
  fill(
    panel,
    table(
      [
        { title: 'Name', cell: (r) => '<b class="alert-name">' + esc(r.name) + '</b>' },
        { title: 'Query', cell: (r) => '<code>' + esc(r.query) + '</code>' },
        { title: 'Filters', cls: 'opt', cell: (r) => esc([r.lang && 'lang ' + r.lang, r.entity && 'entity ' + r.entity, r.source && 'source ' + r.source].filter(Boolean).join(' · ')) },
        { title: 'Notify', cls: 'opt', cell: (r) => esc(notifyText(r.notify)) },
        { title: 'Digest', cls: 'opt', cell: (r) => '<span class="digest">' + esc(digestText(r)) + '</span>' },
        { title: 'Next digest', cls: 'opt', cell: (r) => '<span class="next-digest">' + esc(utcText(r.next_digest)) + '</span>' },
        {
          title: '',
          cls: 'num',
          cell: (r) =>
            '<button type="button" class="secondary test-alert" data-name="' + esc(r.name) + '">Test</button> ' +
            '<button type="button" class="danger delete-alert" data-name="' + esc(r.name) + '">Delete</button>',
        },
      ],
      rows,
      'no alerts yet'
    )
  );
  $$('tbody tr', panel).forEach((tr) => tr.classList.add('alert-row'));
}

async function alertsPage() {
  await alertsList();
  // an alert can start from a saved search: its query, language, entity and source
  try {
    const saved = await api('/api/searches');
    const sel = $('#from-search');
    for (const x of saved) {
      const o = document.createElement('option');
      o.value = o.textContent = x.name;
      sel.appendChild(o);
    }
    sel.addEventListener('change', () => {
      const x = saved.find((r) => r.name === sel.value);
      if (!x) return;
      const form = $('#alert-form');
      for (const k of ['query', 'lang', 'entity', 'source']) form.elements[k].value = x[k] || '';
      if (!form.elements.name.value) form.elements.name.value = x.name;
    });
  } catch (e) {
    notice(e.message);
  }
  // the offset only means something with a digest period
  const form = $('#alert-form');
  const showOffset = () => ($('#digest-offset-field').hidden = !form.elements.digest.value.trim());
  form.elements.digest.addEventListener('input', showOffset);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const data = Object.fromEntries(new FormData(e.target));
    const body = {};
    for (const [k, v] of Object.entries(data)) if (String(v).trim()) body[k] = String(v).trim();
    if (!body.digest) delete body.digest_offset;
    const status = $('#alert-form-status');
    status.textContent = 'adding…';
    try {
      await api('/api/alerts', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      status.textContent = 'added ' + body.name;
      e.target.reset();
      showOffset();
      await alertsList();
    } catch (err) {
      status.textContent = 'not added: ' + err.message;
    }
  });
  document.addEventListener('click', async (e) => {
    const t = e.target.closest('button.test-alert');
    const d = e.target.closest('button.delete-alert');
    if (t) {
      const panel = $('#alert-test-panel');
      panel.hidden = false;
      $('#alert-test-title').textContent = 'Test of ' + t.dataset.name;
      fill(panel, '<p class="muted">running…</p>');
      try {
        const res = await api('/api/alerts/' + encodeURIComponent(t.dataset.name) + '/test');
        const hits = Array.isArray(res) ? res : res.hits || res.matches || res.notifications || [];
        fill(
          panel,
          '<p class="meta">' + fmt(res.total ?? hits.length) + ' matching documents</p>' +
            table([{ title: 'Article', cell: (h) => articleRow(Object.assign({ id: h.document_id }, h)) }], hits, 'nothing matches now')
        );
      } catch (err) {
        failed(panel, err);
      }
    }
    if (d && confirm('Delete the alert ' + d.dataset.name + '?')) {
      try {
        await api('/api/alerts/' + encodeURIComponent(d.dataset.name), { method: 'DELETE' });
        await alertsList();
      } catch (err) {
        notice(err.message);
      }
    }
  });
  document.body.dataset.ready = String(Date.now());
}

// ---------------------------------------------------------------- start
const PAGES = { dashboard, story: storyPage, entity: entityPage, topics: topicsPage, alerts: alertsPage };

function render() {
  const page = document.body.dataset.page;
  // links that keep the filters
  $$('a[data-keep-filters]').forEach((a) => (a.href = keepFilters(new URL(a.href).pathname)));
  $$('nav a').forEach((a) => (a.dataset.nav === page ? a.setAttribute('aria-current', 'page') : a.removeAttribute('aria-current')));
  const f = PAGES[page];
  if (f) return f();
}

document.addEventListener('DOMContentLoaded', () => {
  if (document.body.dataset.page === 'dashboard') wireDashboard();
  window.addEventListener('popstate', () => {
    if (document.body.dataset.page === 'dashboard') render();
  });
  render();
});
