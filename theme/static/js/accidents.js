// Filter and sort the accident list on the client from /accidents/index.json (one compact row per
// report). Without JavaScript the server-rendered, paginated table remains.
(function () {
  const form = document.getElementById('filter');
  if (!form) return;
  const base = form.dataset.base.endsWith('/') ? form.dataset.base : form.dataset.base + '/';
  const tbody = document.querySelector('#accident-table tbody');
  const pager = document.getElementById('static-pager');
  const statusEl = document.getElementById('filter-status');
  const F = { path: 0, title: 1, occurred: 2, year: 3, grade: 4, city: 5, cityName: 6, industry: 7, type: 8,
    deaths: 9, rect: 10, rectZh: 11, published: 12, withdrawn: 13 };
  const keys = ['year', 'grade', 'city', 'industry', 'type', 'sort'];
  let rows = null;
  const PAGE = 100;
  form.hidden = false;

  function cell(text) { const td = document.createElement('td'); td.textContent = text == null ? '' : String(text); return td; }

  function render(list, limit) {
    tbody.replaceChildren();
    for (const r of list.slice(0, limit)) {
      const tr = document.createElement('tr');
      const first = document.createElement('td');
      const a = document.createElement('a');
      a.href = base + r[F.path];
      a.textContent = r[F.title];
      first.append(a);
      if (r[F.withdrawn]) { const t = document.createElement('span'); t.className = 'tag'; t.textContent = '来源已撤下'; first.append(' ', t); }
      const st = document.createElement('td');
      const badge = document.createElement('span');
      badge.className = 'status status-' + (r[F.rect] || 'unknown');
      badge.textContent = r[F.rectZh] || '状态不明';
      st.append(badge);
      tr.append(first, cell((r[F.occurred] || '').slice(0, 10)), cell(r[F.cityName]), cell(r[F.grade]), cell(r[F.industry]),
        cell(r[F.type]), cell(r[F.deaths] || 0), st);
      tbody.append(tr);
    }
    if (list.length > limit) {
      const tr = document.createElement('tr');
      const td = document.createElement('td');
      td.colSpan = 8;
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = '显示更多（还有 ' + (list.length - limit) + ' 份）';
      b.addEventListener('click', () => render(list, limit + PAGE));
      td.append(b);
      tr.append(td);
      tbody.append(tr);
    }
  }

  async function apply(values) {
    if (!rows) rows = await fetch(form.dataset.index).then((r) => r.json());
    let list = rows.filter((r) =>
      (!values.year || String(r[F.year]) === values.year) && (!values.grade || r[F.grade] === values.grade) &&
      (!values.city || r[F.city] === values.city) && (!values.industry || r[F.industry] === values.industry) &&
      (!values.type || r[F.type] === values.type));
    const by = { published: [F.published, -1], occurred: [F.occurred, -1], 'occurred-asc': [F.occurred, 1], deaths: [F.deaths, -1] }[values.sort || 'published'];
    list = list.slice().sort((a, b) => {
      const x = a[by[0]] ?? '', y = b[by[0]] ?? '';
      return (x < y ? -1 : x > y ? 1 : 0) * by[1];
    });
    pager.hidden = true;
    render(list, PAGE);
    statusEl.textContent = '筛选结果：' + list.length + ' 份报告。';
  }

  function current() {
    const v = {};
    for (const k of keys) v[k] = form.elements[k].value;
    return v;
  }

  const params = new URLSearchParams(window.location.search);
  let any = false;
  for (const k of keys) {
    if (params.get(k)) { form.elements[k].value = params.get(k); any = true; }
  }
  if (any) apply(current());

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = current();
    const qs = new URLSearchParams(Object.entries(v).filter(([, x]) => x)).toString();
    history.replaceState(null, '', qs ? '?' + qs : window.location.pathname);
    apply(v).catch((err) => { statusEl.textContent = '筛选出错：' + err.message; });
  });
}());
