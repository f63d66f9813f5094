// /explore in the browser: an index of the losses by family with a search, one loss's chart with
// its parameters as controls (redrawn on change) and its counterpart in the other library drawn
// over it, and a comparison of two or three losses chosen by the user. The charts are the
// service's own SVG (GET /losses/{name}/plot.svg, GET /plots/compare.svg), computed by its
// kernels; this script only builds their URLs and puts them in the page. The state lives in the
// URL's hash (#loss=huber&delta=0.5, #compare=mse,l1), so that a view can be shared.
const model = JSON.parse(document.getElementById('explore-model').textContent);
const byName = new Map(model.map((l) => [l.name, l]));
const $ = (id) => document.getElementById(id);
const FAMILIES = { regression: 'Regression', binary: 'Binary classification', multiclass: 'Multi-class and embeddings', keras: 'Keras', sklearn: 'scikit-learn' };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v !== false && v !== undefined && v !== null) node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) node.append(c);
  return node;
}

// ---- the index ---------------------------------------------------------------------------

function renderIndex() {
  const nav = $('index');
  for (const [family, title] of Object.entries(FAMILIES)) {
    const items = model.filter((l) => l.family === family);
    const list = el('ul');
    for (const l of items) {
      list.append(el('li', { 'data-loss': l.name, 'data-search': [l.name, ...l.aliases, l.summary].join(' ').toLowerCase() }, el('a', { href: `#loss=${encodeURIComponent(l.name)}`, text: l.name })));
    }
    nav.append(el('section', { 'data-family': family }, el('h3', { text: `${title} (${items.length})` }), list));
  }
}

function filterIndex(query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  for (const li of document.querySelectorAll('#index li')) {
    const hit = words.every((w) => li.dataset.search.includes(w));
    li.hidden = !hit;
    if (hit) shown++;
  }
  for (const section of document.querySelectorAll('#index section')) section.hidden = section.querySelectorAll('li:not([hidden])').length === 0;
  $('search-count').textContent = words.length ? `${shown} of ${model.length}` : `${model.length} losses`;
}

// ---- charts ------------------------------------------------------------------------------

let drawSeq = 0;

/** Fetches an SVG and puts it in `target`; a refusal shows the problem's detail instead. */
async function draw(target, url) {
  const seq = ++drawSeq;
  target.setAttribute('aria-busy', 'true');
  const res = await fetch(url);
  const text = await res.text();
  if (seq !== drawSeq) return; // a newer drawing was asked for meanwhile
  target.removeAttribute('aria-busy');
  target.dataset.url = url;
  if (res.ok) {
    target.innerHTML = text;
    target.dataset.status = 'ok';
  } else {
    let detail = text;
    try {
      detail = JSON.parse(text).detail;
    } catch {}
    target.replaceChildren(el('p', { class: 'problem', text: `The service refused this chart (${res.status}): ${detail}` }));
    target.dataset.status = String(res.status);
  }
}

// ---- one loss ----------------------------------------------------------------------------

function control(c, value, onChange) {
  const id = `param-${c.name}`;
  const label = el('label', { for: id, text: c.name });
  const help = el('small', { text: c.description });
  if (c.kind === 'boolean') {
    const box = el('input', { id, type: 'checkbox', 'data-param': c.name, checked: value === true, onchange: () => onChange(box.checked) });
    return el('div', { class: 'control' }, box, label, help);
  }
  if (c.kind === 'choice') {
    const select = el('select', { id, 'data-param': c.name, onchange: () => onChange(select.value) }, ...c.options.map((o) => el('option', { value: o, selected: o === value, text: o })));
    return el('div', { class: 'control' }, label, select, help);
  }
  if (c.kind === 'fixed') return el('div', { class: 'control fixed' }, el('span', { text: `${c.name}: a vector parameter, set in POST /loss` }), help);
  const field = el('input', { id, type: 'number', step: c.integer ? 1 : 'any', 'data-param': c.name, value: value ?? '', placeholder: c.default === null ? 'default' : undefined });
  const parts = [label];
  if (c.slider) {
    const [lo, hi, step] = c.slider;
    const slider = el('input', { type: 'range', min: lo, max: hi, step, 'data-slider': c.name, value: value ?? (lo + hi) / 2, 'aria-label': `${c.name} slider` });
    slider.addEventListener('input', () => {
      field.value = slider.value;
      onChange(Number(slider.value));
    });
    field.addEventListener('change', () => {
      slider.value = field.value;
    });
    parts.push(slider);
  }
  field.addEventListener('change', () => onChange(field.value === '' ? null : Number(field.value)));
  parts.push(field, help);
  return el('div', { class: 'control' }, ...parts);
}

/** The query of a loss's parameters: those set and not the default. */
function paramQuery(loss, values, prefix = '') {
  const q = new URLSearchParams();
  for (const c of loss.controls) {
    const v = values[c.name];
    if (v === undefined || v === null || v === c.default) continue;
    q.set(prefix + c.name, String(v));
  }
  return q;
}

function lossChartUrl(loss, values, overlay) {
  const q = paramQuery(loss, values);
  if (!overlay || !loss.counterpart) return `/losses/${encodeURIComponent(loss.name)}/plot.svg?${q}`;
  // Shared names (huber's and keras.huber's delta) reach both; the counterpart's own settings
  // (from_logits=false for binary_cross_entropy's Keras twin) go to it alone, as 2.name.
  const all = new URLSearchParams({ losses: `${loss.name},${loss.counterpart.loss}`, derivative: 'true' });
  for (const [k, v] of q) all.set(k, v);
  for (const [k, v] of Object.entries(loss.counterpart.params)) all.set(`2.${k}`, String(v));
  return `/plots/compare.svg?${all}`;
}

function showLoss(name, values) {
  const loss = byName.get(name);
  if (!loss) return showWelcome(`No loss named ${name}.`);
  for (const li of document.querySelectorAll('#index li')) li.classList.toggle('current', li.dataset.loss === name);
  const view = $('view');
  const state = { ...Object.fromEntries(loss.controls.filter((c) => c.kind !== 'fixed').map((c) => [c.name, c.default])), ...values };
  let overlay = loss.counterpart !== null && values.overlay !== 'false';
  const chart = el('div', { id: 'chart', class: 'chart' });
  const redraw = () => {
    const q = paramQuery(loss, state);
    if (loss.counterpart && !overlay) q.set('overlay', 'false');
    history.replaceState(null, '', `#loss=${encodeURIComponent(loss.name)}${q.size ? `&${q}` : ''}`);
    draw(chart, lossChartUrl(loss, state, overlay));
  };
  const controls = loss.controls.map((c) =>
    control(c, state[c.name], (v) => {
      state[c.name] = v;
      redraw();
    }),
  );
  const other = loss.counterpart
    ? el(
        'div',
        { class: 'control' },
        el('input', {
          id: 'overlay',
          type: 'checkbox',
          checked: overlay,
          onchange: (e) => {
            overlay = e.target.checked;
            redraw();
          },
        }),
        el('label', { for: 'overlay', class: 'plain', text: `draw ${loss.counterpart.loss} over it (${byName.get(loss.counterpart.loss)?.library ?? 'another library'}), derivatives dashed` }),
      )
    : el('p', { class: 'note', text: 'No loss of another library shares this axis.' });
  view.replaceChildren(
    el('h2', { text: loss.name }),
    el('p', { class: 'summary', text: `${loss.summary} ` }, el('a', { href: `/losses/${encodeURIComponent(loss.name)}`, text: 'catalog entry' })),
    el('p', {}, el('code', { text: loss.formula })),
    el('p', { class: 'axis', text: `x: ${loss.xLabel}` }),
    el('form', { class: 'controls', onsubmit: (e) => e.preventDefault() }, ...controls, other),
    chart,
  );
  redraw();
}

// ---- comparison --------------------------------------------------------------------------

function showCompare(names, derivative) {
  for (const li of document.querySelectorAll('#index li')) li.classList.remove('current');
  const chart = el('div', { id: 'chart', class: 'chart' });
  const selects = [0, 1, 2].map((i) =>
    el(
      'select',
      { id: `compare-${i + 1}`, 'aria-label': `loss ${i + 1}`, onchange: () => redraw() },
      ...(i === 2 ? [el('option', { value: '', text: '(none)' })] : []),
      ...model.map((l) => el('option', { value: l.name, selected: l.name === names[i], text: l.name })),
    ),
  );
  if (!names[2]) selects[2].value = '';
  const withDerivative = el('input', { id: 'compare-derivative', type: 'checkbox', checked: derivative, onchange: () => redraw() });
  const redraw = () => {
    const chosen = selects.map((s) => s.value).filter(Boolean);
    const q = new URLSearchParams({ losses: chosen.join(','), derivative: String(withDerivative.checked) });
    history.replaceState(null, '', `#compare=${chosen.map(encodeURIComponent).join(',')}&derivative=${withDerivative.checked}`);
    draw(chart, `/plots/compare.svg?${q}`);
  };
  $('view').replaceChildren(
    el('h2', { text: 'Compare losses' }),
    el('p', { class: 'note', text: 'Each loss along its own axis (the chart says which when they differ), over the first one\u2019s range.' }),
    el('form', { class: 'controls', onsubmit: (e) => e.preventDefault() }, ...selects, el('label', {}, withDerivative, ' derivatives (dashed)')),
    chart,
  );
  redraw();
}

// ---- the welcome view and routing --------------------------------------------------------

function showWelcome(message) {
  for (const li of document.querySelectorAll('#index li')) li.classList.remove('current');
  $('view').replaceChildren(
    el('h2', { text: message ?? 'Pick a loss' }),
    el('p', { text: 'Choose a loss on the left (or search) to draw it with its parameters, or compare two or three. The stories below put famous pairs side by side.' }),
    $('stories-template').content.cloneNode(true),
  );
}

/** A hash value as the control holds it: true/false, a number, or a choice's text. */
function decodeValue(key, text) {
  if (key === 'overlay') return text;
  if (text === 'true' || text === 'false') return text === 'true';
  return text === '' || Number.isNaN(Number(text)) ? text : Number(text);
}

function route() {
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.has('loss')) return showLoss(hash.get('loss'), Object.fromEntries([...hash].filter(([k]) => k !== 'loss').map(([k, v]) => [k, decodeValue(k, v)])));
  if (hash.has('compare')) return showCompare(hash.get('compare').split(','), hash.get('derivative') === 'true');
  return showWelcome();
}

renderIndex();
$('search').addEventListener('input', (e) => filterIndex(e.target.value));
$('search').addEventListener('keydown', (e) => {
  if (e.key !== 'Enter') return;
  const first = document.querySelector('#index li:not([hidden]) a');
  if (first) location.hash = first.getAttribute('href').slice(1);
});
$('compare-link').addEventListener('click', (e) => {
  e.preventDefault();
  location.hash = 'compare=mse,l1,huber&derivative=false';
});
window.addEventListener('hashchange', route);
filterIndex('');
route();
