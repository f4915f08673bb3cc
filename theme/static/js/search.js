// Site search: exact lookup of enterprise names, 统一社会信用代码 and 文号 (search/*.json, built
// with the site; plugins/disclosure/search.py), then Pagefind full-text results (accident
// reports). A traditional-script query is converted to simplified with the character table
// shipped in search/exact.json. An exact name or code match opens its page directly, so a citizen
// reaches a company in one step. Names are sharded by character bigram: one query fetches the
// shard of its rarest bigram, which lists every name containing that bigram.
const form = document.getElementById('search-form');
const base = form.dataset.base.endsWith('/') ? form.dataset.base : form.dataset.base + '/';
const input = document.getElementById('q');
const statusEl = document.getElementById('search-status');
const exactSec = document.getElementById('exact-results');
const exactList = document.getElementById('exact-list');
const fullSec = document.getElementById('full-results');
const fullList = document.getElementById('full-list');

let metaPromise = null;
const shards = new Map();
let t2s = new Map();

function meta() {
  if (!metaPromise) {
    metaPromise = fetch(base + 'search/exact.json').then((r) => r.json()).then((m) => {
      const chars = Array.from(m.t2s || '');
      for (let i = 0; i + 1 < chars.length; i += 2) t2s.set(chars[i], chars[i + 1]);
      return m;
    });
  }
  return metaPromise;
}

function shard(name) {
  if (!shards.has(name)) shards.set(name, fetch(base + 'search/' + name + '.json').then((r) => (r.ok ? r.json() : [])));
  return shards.get(name);
}

const norm = (s) => s.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
const simp = (s) => Array.from(s).map((c) => t2s.get(c) || c).join('');

function grams(key) {
  const c = Array.from(key);
  if (c.length < 2) return c;
  const out = [];
  for (let i = 0; i + 1 < c.length; i++) out.push(c[i] + c[i + 1]);
  return out;
}

function gramShard(gram, n) {
  const c = Array.from(gram);
  return (c.length > 1 ? c[0].codePointAt(0) * 31 + c[1].codePointAt(0) : c[0].codePointAt(0)) % n;
}

// The query's rarest bigram (fewest names; one not counted in m.common is rare), ties by code point.
function rarest(key, common) {
  const count = (g) => common[g] || 0;
  return grams(key).reduce((best, g) => (count(g) < count(best) || (count(g) === count(best) && g < best) ? g : best));
}

async function exactLookup(q) {
  const m = await meta();
  const key = simp(norm(q));
  if (!key) return { hit: null, partial: [] };
  // codes (统一社会信用代码, 文号) always have a digit or a Latin letter; names are never all ASCII
  const wantCodes = /[0-9A-Z]/.test(key);
  const wantNames = Array.from(key).length > 1 && !/^[0-9A-Z]+$/.test(key);
  const codeIdx = Array.from(key).reduce((a, c) => a + c.codePointAt(0), 0) % m.codes;
  const [names, codes] = await Promise.all([
    wantNames ? shard('names-' + gramShard(rarest(key, m.common || {}), m.names)) : [],
    wantCodes ? shard('codes-' + codeIdx) : []]);
  const hit = codes.find((e) => e[0] === key) || names.find((e) => e[0] === key) || null;
  const partial = names.filter((e) => e !== hit && e[0].includes(key)).slice(0, 20);
  return { hit, partial };
}

// A record with no page of its own is listed with its address in Datasette.
const href = (u) => (/^https?:\/\//.test(u) ? u : base + u);

function item(url, title, meta, excerptHtml) {
  const li = document.createElement('li');
  const a = document.createElement('a');
  a.href = url;
  a.textContent = title;
  li.append(a);
  if (meta) {
    const span = document.createElement('span');
    span.className = 'meta';
    span.textContent = ' ' + meta;
    li.append(span);
  }
  if (excerptHtml) li.append(safeExcerpt(excerptHtml));
  return li;
}

// Keep only text and <mark> from a Pagefind excerpt (parsed inertly, never inserted as HTML).
function safeExcerpt(html) {
  const p = document.createElement('p');
  p.className = 'small';
  const doc = new DOMParser().parseFromString('<p>' + html + '</p>', 'text/html');
  for (const node of doc.body.firstChild.childNodes) {
    if (node.nodeType === Node.ELEMENT_NODE && node.tagName === 'MARK') {
      const mk = document.createElement('mark');
      mk.textContent = node.textContent;
      p.append(mk);
    } else {
      p.append(document.createTextNode(node.textContent));
    }
  }
  return p;
}

let pagefind = null;
async function fullText(q) {
  if (!pagefind) {
    pagefind = await import(base + 'pagefind/pagefind.js');
    await pagefind.options({ baseUrl: base });
  }
  const res = await pagefind.search(q);
  const top = await Promise.all(res.results.slice(0, 20).map((r) => r.data()));
  return { count: res.results.length, top };
}

async function run(q, { jump }) {
  exactList.replaceChildren();
  fullList.replaceChildren();
  exactSec.hidden = true;
  fullSec.hidden = true;
  if (!q.trim()) { statusEl.textContent = ''; return; }
  statusEl.textContent = '正在搜索…';
  const { hit, partial } = await exactLookup(q);
  if (hit && jump) {
    statusEl.textContent = '找到完全匹配的记录，正在打开：' + hit[1];
    window.location.replace(href(hit[3]));
    return;
  }
  const rows = (hit ? [hit] : []).concat(partial);
  for (const e of rows) exactList.append(item(href(e[3]), e[1], [e[4], e[2]].filter(Boolean).join(' · ')));
  exactSec.hidden = rows.length === 0;
  const query = simp(norm(q)) === norm(q) ? q.trim() : simp(q.trim());
  const { count, top } = await fullText(query);
  for (const d of top) fullList.append(item(d.url, (d.meta && d.meta.title) || d.url, '', d.excerpt));
  fullSec.hidden = top.length === 0;
  statusEl.textContent = rows.length + count === 0
    ? '没有找到与“' + q + '”相关的结果。'
    : '企业和文号匹配 ' + rows.length + ' 条；全文检索 ' + count + ' 条' + (count > top.length ? '（显示前 ' + top.length + ' 条）' : '') + '。';
}

const params = new URLSearchParams(window.location.search);
const initial = params.get('q') || '';
input.value = initial;
if (initial) run(initial, { jump: true }).catch((err) => { statusEl.textContent = '搜索出错：' + err.message; });

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const q = input.value;
  history.replaceState(null, '', '?q=' + encodeURIComponent(q));
  run(q, { jump: true }).catch((err) => { statusEl.textContent = '搜索出错：' + err.message; });
});

let timer = null;
input.addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(() => run(input.value, { jump: false }).catch(() => {}), 250);
});
