// The Gamifier dashboard: plain JavaScript, no build step. Live data comes from
// /api/events/stream (server-sent events); actions go to the JSON API.
// Loaded as a module (strict, deferred).

const $ = (id) => document.getElementById(id);
const fmt = new Intl.NumberFormat('en-US');
const MAX_FLOW_ROWS = 80;
let lastDeadLetterCount = -1;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('data-')) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

// Event timestamps have millisecond resolution, so below 1 ms reads as "<1 ms".
function ms(x) {
  if (x < 1) return '<1 ms';
  return x < 10 ? `${x.toFixed(1)} ms` : `${fmt.format(Math.round(x))} ms`;
}
const tickFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

function time(t) {
  return new Date(t).toLocaleTimeString('en-GB', { hour12: false });
}

// ---- charts -------------------------------------------------------------------

function drawChart(canvas, series, colors, unit) {
  const dpr = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight || 160;
  if (canvas.width !== Math.round(width * dpr)) {
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const pad = { left: 44, right: 8, top: 8, bottom: 18 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const max = Math.max(1, ...series.flat());
  const top = niceCeil(max);
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = '#6b7385';
  ctx.strokeStyle = '#e3e6ec';
  ctx.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const y = pad.top + plotH - (plotH * i) / 4;
    ctx.beginPath();
    ctx.moveTo(pad.left, y + 0.5);
    ctx.lineTo(width - pad.right, y + 0.5);
    ctx.stroke();
    ctx.fillText(`${tickFmt.format((top * i) / 4)}${unit}`, 2, y + 4);
  }
  ctx.fillText('-2 min', pad.left, height - 4);
  ctx.fillText('now', width - pad.right - 22, height - 4);
  series.forEach((points, s) => {
    if (points.length < 2) return;
    ctx.strokeStyle = colors[s];
    ctx.lineWidth = 1.75;
    ctx.beginPath();
    points.forEach((v, i) => {
      const x = pad.left + (plotW * i) / (points.length - 1);
      const y = pad.top + plotH - (plotH * v) / top;
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.stroke();
  });
}

function niceCeil(x) {
  const p = 10 ** Math.floor(Math.log10(x));
  // Tops whose quarters are round numbers: 1, 2, 4, 8, 10 × a power of ten.
  for (const m of [1, 2, 4, 8, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

// ---- rendering ----------------------------------------------------------------

function renderTick(tick) {
  const s = tick.stats;
  const recent = s.throughput.slice(-6, -1);
  const rate = recent.reduce((n, p) => n + p.events, 0) / Math.max(1, recent.length);
  $('kpi-rate').textContent = fmt.format(Math.round(rate));
  $('kpi-total').textContent = fmt.format(s.delivered);
  $('kpi-p50').textContent = s.latencyMs.count ? ms(s.latencyMs.p50) : '–';
  $('kpi-p99').textContent = s.latencyMs.count ? ms(s.latencyMs.p99) : '–';
  $('kpi-failure').textContent = `${(s.failureRate * 100).toFixed(s.failureRate < 0.1 ? 2 : 1)}%`;
  $('kpi-retries').textContent = fmt.format(s.retries);
  $('kpi-dead').textContent = fmt.format(tick.deadLetters);
  $('kpi-dead').classList.toggle('bad', tick.deadLetters > 0);

  drawChart($('chart-throughput'), [s.throughput.map((p) => p.events)], ['#2f6fed'], '');
  drawChart($('chart-latency'), [s.throughput.map((p) => p.p50), s.throughput.map((p) => p.p99)], ['#2f6fed', '#d9822b'], '');

  const entries = Object.entries(s.byType).sort((a, b) => b[1] - a[1]);
  const most = Math.max(1, ...entries.map((e) => e[1]));
  $('by-type').replaceChildren(
    ...entries.map(([type, count]) =>
      el('div', { class: 'bar', 'data-type': type },
        el('div', { class: 'track' }, Object.assign(el('div', { class: 'fill' }), { style: `width:${(100 * count) / most}%` }), el('span', { class: 'name' }, type)),
        el('span', { class: 'count' }, fmt.format(count)))),
  );
  if (entries.length === 0) $('by-type').replaceChildren(el('p', { class: 'muted' }, 'no events yet'));

  $('leaderboard').replaceChildren(
    ...tick.leaderboard.map((e) =>
      el('tr', { 'data-player': e.playerId },
        el('td', {}, e.rank), el('td', {}, e.playerId), el('td', { class: 'num' }, fmt.format(e.lifetimePoints)),
        el('td', { class: 'num' }, fmt.format(e.points)), el('td', { class: 'num' }, e.level), el('td', { class: 'num' }, e.badges))),
  );
  if (tick.leaderboard.length === 0) $('leaderboard').replaceChildren(el('tr', { class: 'empty' }, el('td', { colSpan: 6 }, 'no players yet')));

  if (tick.deadLetters !== lastDeadLetterCount) {
    lastDeadLetterCount = tick.deadLetters;
    void loadDeadLetters();
  }
}

function prepend(list, rows) {
  for (const row of rows) list.prepend(row);
  while (list.children.length > MAX_FLOW_ROWS) list.lastElementChild.remove();
}

function renderFlow(batch) {
  const rows = batch.events.map((e) =>
    el('li', { class: 'fresh', 'data-event-id': e.id, 'data-type': e.type, 'data-aggregate-id': e.aggregateId || '' },
      el('span', { class: 'muted' }, time(e.at)),
      el('span', { class: e.kind, title: `correlation ${e.correlationId}` }, e.type),
      el('span', {}, e.aggregateId ? `${e.aggregateId} v${e.version}` : ''),
      el('span', { class: 'muted' }, ms(e.latencyMs))));
  prepend($('flow'), rows);
  $('flow-note').textContent = batch.skipped ? `(busy: ${fmt.format(batch.skipped)} not shown)` : '';
}

function renderFailures(failures) {
  prepend($('failures'), failures.map((f) =>
    el('li', { class: 'fresh' },
      el('span', { class: 'muted' }, time(f.at)),
      el('span', { class: f.status }, f.status === 'retrying' ? `retry ${f.attempt}/${f.maxAttempts}` : f.status.replace('_', ' ')),
      el('span', { title: f.error }, `${f.handler} · ${f.eventType} · ${f.error}`))));
}

async function loadDeadLetters() {
  const res = await fetch('/api/dead-letters');
  if (!res.ok) return;
  const { deadLetters } = await res.json();
  const body = $('dead-letters');
  if (deadLetters.length === 0) {
    body.replaceChildren(el('tr', { class: 'empty' }, el('td', { colSpan: 7 }, 'none')));
    return;
  }
  body.replaceChildren(
    ...deadLetters.map((d) => {
      const button = el('button', { type: 'button', class: 'small' }, 'Replay');
      button.addEventListener('click', () => replay(d.id, button));
      return el('tr', { 'data-id': d.id },
        el('td', {}, time(d.failedAt)), el('td', {}, d.eventType), el('td', {}, d.subject), el('td', {}, d.handler),
        el('td', { class: 'error' }, `${d.error.name}: ${JSON.stringify(d.error.message).slice(1, -1)}`),
        el('td', { class: 'num' }, d.attempts), el('td', {}, button));
    }),
  );
}

async function replay(id, button) {
  if (button) button.disabled = true;
  const res = await fetch(`/api/dead-letters/${encodeURIComponent(id)}/replay`, { method: 'POST' });
  if (!res.ok && button) button.disabled = false;
  await loadDeadLetters();
}

// ---- wiring -------------------------------------------------------------------

$('award-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const out = $('award-result');
  const res = await fetch(`/api/players/${encodeURIComponent(form.get('player'))}/points`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ points: Number(form.get('points')), reason: form.get('reason') }),
  });
  const body = await res.json();
  out.className = res.ok ? 'ok' : 'err';
  out.textContent = res.ok
    ? `${body.player.id}: ${fmt.format(body.player.points)} points, level ${body.player.level} (${body.events.length} events)`
    : `${body.error.field ? `${body.error.field}: ` : ''}${body.error.message}`;
});

$('replay-all').addEventListener('click', () => replay('all'));

fetch('/health').then((r) => r.json()).then((h) => {
  $('setup').textContent = `${h.transport} transport · ${h.store} store`;
});

function connect() {
  const source = new EventSource('/api/events/stream');
  source.addEventListener('open', () => {
    $('connection').classList.remove('off');
    $('connection-text').textContent = 'live';
  });
  source.addEventListener('error', () => {
    $('connection').classList.add('off');
    $('connection-text').textContent = 'reconnecting';
  });
  source.addEventListener('tick', (m) => renderTick(JSON.parse(m.data)));
  source.addEventListener('flow', (m) => renderFlow(JSON.parse(m.data)));
  source.addEventListener('failures', (m) => renderFailures(JSON.parse(m.data)));
}

connect();
void loadDeadLetters();
