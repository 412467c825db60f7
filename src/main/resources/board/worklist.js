import { api, el, ml, when, badge, priorityBadge } from '/ui/board.js';

const PRIORITY = ['CRITICAL', 'POSITIVE', 'INDETERMINATE', 'NEGATIVE', 'DEAD_LETTER'];
const rows = new Map();
const tbody = document.getElementById('rows');
const status = document.getElementById('status');

function order(a, b) {
  const p = PRIORITY.indexOf(a.priority) - PRIORITY.indexOf(b.priority);
  return p !== 0 ? p : String(b.time || '').localeCompare(String(a.time || ''));
}

function visible(r) {
  const hours = Number(document.getElementById('range').value);
  if (hours > 0 && r.time && Date.now() - new Date(r.time).getTime() > hours * 3600e3) return false;
  const flag = document.getElementById('flag').value;
  const flags = r.finding ? r.finding.flags : ['DEAD LETTER'];
  if (flag && !flags.includes(flag)) return false;
  const text = document.getElementById('text').value.trim().toLowerCase();
  if (!text) return true;
  const s = r.study || {};
  return [s.accession_number, s.study_description, s.series_description, s.patient_name, r.series_instance_uid,
    r.problem && r.problem.reason].some(v => v && String(v).toLowerCase().includes(text));
}

function open(r) {
  if (r.finding) location.href = `/ui/study.html?series=${encodeURIComponent(r.series_instance_uid)}`;
  else location.href = `/ui/operations.html#${encodeURIComponent(r.key)}`;
}

function rowElement(r) {
  const s = r.study || {};
  const f = r.finding;
  const flags = f ? f.flags : ['DEAD LETTER'];
  const tr = el('tr', { tabindex: 0, 'data-key': r.key, 'data-series': r.series_instance_uid, 'data-priority': r.priority,
      onclick: () => open(r), onkeydown: e => keys(e, r) },
    el('td', {}, priorityBadge(r)),
    el('td', {}, when(r.time)),
    el('td', { class: 'accession' }, s.accession_number || '–'),
    el('td', {}, el('div', {}, s.study_description || (r.problem ? r.problem.reason : '–')),
      el('div', { class: 'muted small' }, s.series_description || (r.problem ? r.problem.detail : '')),
      s.patient_name ? el('div', { class: 'small' }, s.patient_name) : null,
      r.study_verdict && r.study_verdict.series_count > 1 ? el('div', { class: 'small study-context' },
        `study: ${r.study_verdict.triage_category} over ${r.study_verdict.series_count} series${r.study_verdict.decides ? ' (this series decides)' : ''}`) : null),
    el('td', { class: 'volume' }, f ? `${ml(f.volume_ml)} [${ml(f.interval_ml.low)}–${ml(f.interval_ml.high)}]` : '–'),
    el('td', { class: 'flags' }, flags.length ? flags.map(x => badge(x, r.priority)) : el('span', { class: 'muted', text: 'none' })),
    el('td', {}, f && f.expansion ? f.expansion : '–'),
    el('td', {}, f ? f.model_version : '–'),
    el('td', {}, f ? f.forwarding : '–'));
  return tr;
}

function keys(e, r) {
  const tr = e.currentTarget;
  if (e.key === 'Enter') open(r);
  else if (e.key === 'ArrowDown' && tr.nextElementSibling) { tr.nextElementSibling.focus(); e.preventDefault(); }
  else if (e.key === 'ArrowUp' && tr.previousElementSibling) { tr.previousElementSibling.focus(); e.preventDefault(); }
}

function render() {
  const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.key : null;
  const list = [...rows.values()].filter(visible).sort(order);
  tbody.replaceChildren(...list.map(rowElement));
  status.textContent = `${list.length} of ${rows.size} shown`;
  if (focused) { const again = tbody.querySelector(`tr[data-key="${CSS.escape(focused)}"]`); if (again) again.focus(); }
}

async function start() {
  for (const r of await api('/api/worklist')) rows.set(r.key, r);
  render();
  const stream = new EventSource('/api/stream');
  stream.addEventListener('row', e => { const r = JSON.parse(e.data); rows.set(r.key, r); render(); });
  stream.onerror = () => { status.textContent = 'live updates interrupted; retrying…'; };
  document.getElementById('filters').addEventListener('submit', e => e.preventDefault());
  for (const id of ['range', 'flag', 'text']) document.getElementById(id).addEventListener('input', render);
}

start().catch(err => { status.textContent = `cannot load the worklist: ${err.message}`; });
