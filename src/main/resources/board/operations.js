import { api, el, when } from '/ui/board.js';

async function start() {
  const ops = await api('/api/operations');
  document.getElementById('ops').replaceChildren(
    el('dt', { text: 'Forwarding backlog' }), el('dd', { id: 'backlog', text: `${ops.forwarding_backlog} object(s) not yet delivered` }),
    el('dt', { text: 'Dead letters' }), el('dd', { text: String(ops.dead_letters) }),
    el('dt', { text: 'Board' }), el('dd', { text: ops.board }));
  const dead = await api('/api/deadletters');
  document.getElementById('dead').replaceChildren(...dead.map(d => {
    const x = d.dead_letter;
    const source = x.offsets ? `${x.source_topic} ${x.offsets.map(o => `p${o.partition} ${o.first}–${o.last}`).join(', ')}` : (x.source_topic || '–');
    return el('tr', { id: `deadletter:${d.partition}:${d.offset}`, tabindex: 0 },
      el('td', { text: when(x.created_at) }), el('td', { text: x.stage }), el('td', { class: 'reason', text: x.reason }),
      el('td', { class: 'small', text: x.detail }), el('td', { class: 'small', text: x.series_instance_uid || '–' }),
      el('td', { class: 'small', text: `${source} (dead letter at ich.deadletter.v1-${d.partition}@${d.offset})` }));
  }));
  const skipped = await api('/api/skipped');
  document.getElementById('skipped').replaceChildren(...skipped.map(k => el('tr', { tabindex: 0 },
    el('td', { text: when(k.created_at) }), el('td', { class: 'reason', text: k.reason }), el('td', { class: 'small', text: k.detail }),
    el('td', { class: 'small', text: k.series_instance_uid }), el('td', { text: String(k.instance_count) }))));
}

start().catch(err => { document.getElementById('ops').textContent = `cannot load: ${err.message}`; });
