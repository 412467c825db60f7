import { api, el, ml, when, badge } from '/ui/board.js';

const series = new URLSearchParams(location.search).get('series');
const base = `/api/series/${encodeURIComponent(series)}`;
const status = document.getElementById('status');
const img = document.getElementById('slice');
const range = document.getElementById('sliceRange');
let state = { index: 0, window: 'brain', outline: true, slices: [] };

function show() {
  const s = state.slices[state.index];
  if (!s) return;
  img.src = `${base}/slices/${state.index}?window=${state.window}&outline=${state.outline}`;
  img.dataset.index = String(state.index);
  range.value = String(state.index);
  document.getElementById('sliceLabel').textContent =
    `image ${s.instance_number}, ${s.position_mm.toFixed(1)} mm (${state.index + 1} of ${state.slices.length})${s.lesion ? ' – lesion' : ''}`;
  const here = document.querySelector('#lesionbar .here');
  if (here) here.style.top = `${(state.index / Math.max(1, state.slices.length - 1)) * 100}%`;
}

function go(i) { state.index = Math.max(0, Math.min(state.slices.length - 1, i)); show(); }

function viewer(slices) {
  state.slices = slices;
  range.max = String(Math.max(0, slices.length - 1));
  const bar = document.getElementById('lesionbar');
  bar.replaceChildren(el('div', { class: 'here' }));
  slices.forEach((s, i) => {
    if (!s.lesion) return;
    const b = el('button', { type: 'button', class: 'lesion-mark', 'data-index': i,
      'aria-label': `lesion on image ${s.instance_number} at ${s.position_mm.toFixed(1)} mm`, onclick: () => go(i) });
    b.style.top = `calc(${(i / Math.max(1, slices.length - 1)) * 100}% - 3px)`;
    bar.append(b);
  });
  const firstLesion = slices.findIndex(s => s.lesion);
  go(firstLesion >= 0 ? firstLesion : Math.floor(slices.length / 2));
  range.addEventListener('input', () => go(Number(range.value)));
  img.addEventListener('wheel', e => { e.preventDefault(); go(state.index + (e.deltaY > 0 ? 1 : -1)); }, { passive: false });
  for (const b of document.querySelectorAll('#windows button[data-window]')) {
    b.addEventListener('click', () => {
      state.window = b.dataset.window;
      for (const o of document.querySelectorAll('#windows button[data-window]')) o.setAttribute('aria-pressed', String(o === b));
      show();
    });
  }
  const outline = document.getElementById('outline');
  outline.addEventListener('click', () => { state.outline = !state.outline; outline.setAttribute('aria-pressed', String(state.outline)); show(); });
}

function dl(target, pairs) {
  document.getElementById(target).replaceChildren(...pairs.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', {}, v)]));
}

function chart(history, current) {
  const w = 440, h = 160, pad = 60;
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`); svg.setAttribute('width', String(w)); svg.setAttribute('height', String(h));
  svg.setAttribute('role', 'img'); svg.setAttribute('id', 'volumeChart');
  svg.setAttribute('aria-label', `volume over time: ${history.map(p => `${ml(p.volume_ml)} mL at ${when(p.time)}`).join('; ')}`);
  const times = history.map(p => new Date(p.time).getTime());
  const t0 = Math.min(...times), t1 = Math.max(...times);
  const vmax = Math.max(1, ...history.map(p => p.volume_ml)) * 1.15;
  const x = t => pad + (t1 === t0 ? (w - 2 * pad) / 2 : ((t - t0) / (t1 - t0)) * (w - 2 * pad));
  const y = v => h - pad + 10 - (v / vmax) * (h - pad - 10);
  const add = (tag, attrs, text) => { const e = document.createElementNS(ns, tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v)); if (text) e.textContent = text; svg.append(e); return e; };
  add('line', { x1: pad, y1: y(0), x2: w - pad, y2: y(0), stroke: '#2c3640' });
  add('text', { x: 2, y: y(vmax / 1.15) + 4 }, `${ml(vmax / 1.15)} mL`);
  add('text', { x: 2, y: y(0) + 4 }, '0');
  if (history.length > 1) add('polyline', { points: history.map((p, i) => `${x(times[i])},${y(p.volume_ml)}`).join(' '), fill: 'none', stroke: '#8cc4ff' });
  history.forEach((p, i) => {
    const c = add('circle', { cx: x(times[i]), cy: y(p.volume_ml), r: p.series_instance_uid === current ? 6 : 4,
      fill: p.series_instance_uid === current ? '#ff9d3b' : '#8cc4ff', class: 'point', 'data-volume': p.volume_ml });
    const title = document.createElementNS(ns, 'title'); title.textContent = `${ml(p.volume_ml)} mL, ${when(p.time)}, accession ${p.accession_number || '–'}`; c.append(title);
    add('text', { x: x(times[i]) - 14, y: h - 6 }, new Date(p.time).toLocaleDateString(undefined, { month: 'short', day: 'numeric' }));
  });
  return svg;
}

function trail(body, ev) {
  const rows = [];
  for (const r of body.instance_records || []) {
    rows.push(el('tr', {}, el('td', { text: `instance ${ev.provenance.source_topic}-${r.partition}@${r.offset}` }), el('td', { text: when(r.time) }),
      el('td', { class: 'small', text: r.headers['ich.sop-instance-uid'] || (r.headers['ich.control'] ? 'force-complete record' : '') })));
  }
  rows.push(el('tr', {}, el('td', { text: 'completion' }), el('td', { text: ev.provenance.completion_reason }),
    el('td', { class: 'small', text: `${ev.provenance.instance_count} instances in the volume` })));
  for (const r of body.revisions) {
    rows.push(el('tr', {}, el('td', { text: `result revision ${r.revision}` }), el('td', { text: when(r.created_at) }),
      el('td', { class: 'small', text: `${ml(r.volume_ml)} mL, ${r.completion_reason}, event ${r.event_id}` })));
  }
  for (const f of body.forwarding) {
    rows.push(el('tr', {}, el('td', { text: `forwarding ${f.kind} to ${f.destination}` }), el('td', { text: when(f.at) }),
      el('td', { class: 'small', text: `${f.status} after ${f.attempts} attempt(s), DICOM status ${f.dicom_status || 'none'}` })));
  }
  for (const d of body.dead_letters) {
    rows.push(el('tr', {}, el('td', { text: `dead letter (${d.dead_letter.stage})` }), el('td', { text: when(d.dead_letter.created_at) }),
      el('td', { class: 'small', text: `${d.dead_letter.reason}: ${d.dead_letter.detail}` })));
  }
  return el('table', { id: 'trailTable' }, el('tbody', {}, rows));
}

function studyVerdict(v, current) {
  if (!v) return el('p', { class: 'muted', text: 'no study verdict yet' });
  const rows = v.series.map(s => el('tr', { 'data-series': s.series_instance_uid },
    el('td', {}, s.series_instance_uid === current ? el('strong', { text: s.series_description || s.series_instance_uid })
      : el('a', { href: `/ui/study.html?series=${encodeURIComponent(s.series_instance_uid)}`, text: s.series_description || s.series_instance_uid })),
    el('td', { text: s.triage_category }), el('td', { text: `${ml(s.volume_ml)} mL` }), el('td', { text: String(s.slice_count) }),
    el('td', { text: s.series_instance_uid === v.deciding_series.series_instance_uid ? 'decides' : '' })));
  return el('div', { id: 'studyVerdict' },
    el('p', {}, `Study: ${v.triage_category}, ${ml(v.volume_ml)} mL (revision ${v.revision}; the most urgent of ${v.series.length} series decides)`),
    el('table', {}, el('thead', {}, el('tr', {}, ...['Series', 'Category', 'Volume', 'Slices', ''].map(h => el('th', { text: h })))),
      el('tbody', {}, rows)));
}

async function start() {
  if (!series) { status.textContent = 'no series given'; return; }
  const body = await api(base);
  const ev = body.event;
  if (!ev) { status.textContent = 'this series has no result (see its dead letters below)'; }
  else {
    const f = ev.flags;
    status.replaceChildren(badge(body.priority.replace('_', ' ').toLowerCase(), body.priority), ' ',
      `${ev.study_description || 'study'} – ${ev.series_description || 'series'}, accession ${ev.accession_number || '–'}`,
      ev.patient && ev.patient.name ? ` – ${ev.patient.name}` : '');
    const flags = [f.ich_detected && 'ICH', f.large_volume && 'LARGE', f.high_uncertainty && 'UNCERTAIN', f.needs_review && 'REVIEW'].filter(Boolean);
    dl('finding', [
      ['Triage category', ev.triage_category || '–'],
      ['Volume', el('span', { id: 'volume', text: `${ml(ev.volume.ml)} mL` })],
      ['Interval', `${ml(ev.volume.interval_ml.low)}–${ml(ev.volume.interval_ml.high)} mL`],
      ['ABC/2', `${ml(ev.volume.abc2_ml)} mL`],
      ['Slices with lesion', `${ev.volume.lesion_slice_count} of ${ev.volume.slice_count}`],
      ['Flags', el('span', { id: 'flags' }, flags.length ? flags.map(x => badge(x, body.priority)) : 'none')],
      ['Uncertainty', `mean entropy in lesion ${ev.uncertainty.mean_entropy_lesion}, at the edge ${ev.uncertainty.mean_entropy_edge}, high-entropy fraction ${ev.uncertainty.high_entropy_fraction} (threshold ${ev.uncertainty.threshold})`],
      ['Revision', `${ev.revision} (${when(ev.created_at)})`],
      ['Forwarding', `${ev.forwarding ? ev.forwarding.status : '–'}`]]);
    dl('provenance', [
      ['Model', `${ev.model.name} ${ev.model.version} on ${ev.model.provider}`],
      ['Model sha256', ev.model.sha256],
      ['Input digest', ev.provenance.input_digest],
      ['Source', `${ev.provenance.source_topic} ${ev.provenance.offsets.map(o => `p${o.partition} ${o.first}–${o.last}`).join(', ')}`],
      ['Outputs', body.outputs.map(o => `${o.kind} ich.seg.v1-${o.partition}@${o.offset}`).join(', ') || 'none'],
      ['Event', ev.event_id], ['Series UID', ev.series_instance_uid], ['Software', `${ev.software.name} ${ev.software.version}`]]);
    document.getElementById('chart').replaceChildren(chart(body.history, ev.series_instance_uid));
    document.getElementById('study').replaceChildren(studyVerdict(body.study_verdict, ev.series_instance_uid));
    document.getElementById('expansion').textContent = ev.expansion
      ? `Hematoma expansion: ${ev.expansion.hematoma_expansion} (${ev.expansion.absolute_change_ml >= 0 ? '+' : ''}${ml(ev.expansion.absolute_change_ml)} mL over ${ev.expansion.hours_between.toFixed(1)} h)`
      : (body.history.length > 1 ? 'Hematoma expansion: not assessed for this series' : 'Only one study of this patient on the board.');
    if (body.slices) viewer(body.slices);
    else status.append(el('div', { class: 'muted', text: body.images_unavailable }));
    const keys = document.getElementById('keyimages');
    for (let i = 0; i < (body.key_image_count || 0); i++) keys.append(el('img', { src: `${base}/key-images/${i}`, alt: `key image ${i + 1}` }));
    if (!body.key_image_count) keys.append(el('span', { class: 'muted', text: 'none (no lesion, so no key image)' }));
  }
  document.getElementById('trail').replaceChildren(trail(body, ev || { provenance: { source_topic: 'ich.instances.v1', completion_reason: '–', instance_count: 0 } }));
}

start().catch(err => { status.textContent = `cannot load the study: ${err.message}`; });
