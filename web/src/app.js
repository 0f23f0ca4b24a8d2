// stockcast dashboard: hash routes over the REST API (/api/v1), no bundler, no framework.
// The token lives in sessionStorage and goes out as "Authorization: Bearer …" (no cookies).
// Every node is built with createElement and textContent (no innerHTML, no inline styles), so
// the page works under "Content-Security-Policy: default-src 'self'".
// ECharts is the global `echarts` from /assets/echarts.min.js (a classic script).
import { t, getLang, toggleLang, locale, echartsLocale } from './i18n.js';

const TOKEN_KEY = 'stockcast.token';
const state = {
  me: null,          // {name, role} of the token
  charts: [],        // live ECharts instances of the current view
  renderSeq: 0,      // a newer render makes older async renders drop their result
  onlyToOrder: true, // orders view filter
  alertStatus: '',   // alerts view filters
  alertLevel: '',
  skuQuery: '',
};

// ---------------------------------------------------------------------------------------------
// DOM helpers

// h('a', {href: '#/x', class: 'c', onclick: fn, 'data-test': 'y'}, 'text', child, [more])
function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  appendChildren(el, children);
  return el;
}

function appendChildren(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// Text with `code` spans: the help texts quote commands between backticks.
function richText(text) {
  return text.split(/(`[^`]*`)/).map((part) =>
    part.startsWith('`') && part.endsWith('`') && part.length > 1 ? h('code', {}, part.slice(1, -1)) : part);
}

function fmtNumber(v, digits = 0) {
  if (v === null || v === undefined || Number.isNaN(v)) return t('common.none');
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(v);
}

function fmtMoney(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return t('common.none');
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: 2, minimumFractionDigits: 2 }).format(v);
}

function fmtPercent(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return t('common.none');
  return new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 1 }).format(v);
}

function fmtDateTime(v) {
  if (!v) return t('common.none');
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return String(v);
  return d.toLocaleString(locale());
}

function statusText(status) {
  const key = `status.${status}`;
  const text = t(key);
  return text === key ? status : text;
}

function levelText(level) {
  const key = `level.${level}`;
  const text = t(key);
  return text === key ? level : text;
}

function skuHref(sku, location) {
  return `#/sku/${encodeURIComponent(sku)}/${encodeURIComponent(location)}`;
}

function toast(message, kind = 'info') {
  const box = document.getElementById('toast');
  if (!box) return;
  const item = h('div', { class: `toast toast-${kind}`, role: 'status', 'data-test': 'toast' }, message);
  box.append(item);
  setTimeout(() => item.remove(), 6000);
}

// ---------------------------------------------------------------------------------------------
// API

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function token() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

// Calls the API with the session's token. JSON replies are parsed; {raw: true} returns the
// Response (the CSV download). A 401 ends the session and shows the login page.
async function api(path, { method = 'GET', body, raw = false, tokenOverride } = {}) {
  const headers = { Authorization: `Bearer ${tokenOverride ?? token()}` };
  if (!raw) headers.Accept = 'application/json';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, 'network', t('error.network', { message: e.message }));
  }
  if (!res.ok) {
    let code = `http_${res.status}`;
    let message = `${method} ${path}: HTTP ${res.status} ${res.statusText}`;
    try {
      const j = await res.json();
      if (j?.error) {
        code = j.error.code ?? code;
        message = j.error.message ?? message;
      }
    } catch {
      // Not JSON: keep the status line.
    }
    if (res.status === 401 && tokenOverride === undefined) {
      setToken('');
      state.me = null;
      toast(t('error.unauthenticated'), 'error');
      location.hash = '#/login';
    }
    throw new ApiError(res.status, code, message);
  }
  if (raw) return res;
  return res.json();
}

function canDecide() {
  return state.me && (state.me.role === 'planner' || state.me.role === 'admin');
}

// ---------------------------------------------------------------------------------------------
// Charts

function disposeCharts() {
  for (const c of state.charts) c.dispose();
  state.charts = [];
}

function makeChart(el) {
  // Canvas renderer (the browser test reads its pixels); the locale sets ECharts' own texts.
  const chart = echarts.init(el, null, { renderer: 'canvas', locale: echartsLocale() });
  state.charts.push(chart);
  return chart;
}

window.addEventListener('resize', () => {
  for (const c of state.charts) c.resize();
});

// Tooltips render on the canvas (richText): ECharts' HTML tooltips carry inline styles, which
// the Content-Security-Policy blocks.
const TOOLTIP = { trigger: 'axis', renderMode: 'richText', confine: true };

// Demand history, forecast mean and its P10–P90 band on one date axis. The band is two
// stacked series: an invisible P10 line and the P90 − P10 width filled on top of it.
function demandChartOption(series) {
  const history = series.history ?? [];
  const points = series.forecast?.points ?? [];
  const dates = [...new Set([...history.map((p) => p.date), ...points.map((p) => p.date)])].sort();
  const index = new Map(dates.map((d, i) => [d, i]));
  const blank = () => new Array(dates.length).fill(null);
  const demand = blank();
  const stockouts = blank();
  for (const p of history) {
    demand[index.get(p.date)] = p.demand;
    if (p.stockout) stockouts[index.get(p.date)] = p.demand ?? 0;
  }
  const mean = blank();
  const low = blank();
  const width = blank();
  for (const p of points) {
    const i = index.get(p.date);
    mean[i] = p.mean;
    if (p.p10 !== null && p.p10 !== undefined && p.p90 !== null && p.p90 !== undefined) {
      low[i] = p.p10;
      width[i] = Math.max(0, p.p90 - p.p10);
    }
  }
  const out = [
    { name: t('series.history'), type: 'line', data: demand, showSymbol: false, lineStyle: { width: 1.5 },
      color: '#3b6fb6' },
    { name: t('series.band_low'), type: 'line', data: low, stack: 'band', showSymbol: false,
      lineStyle: { opacity: 0 }, color: '#e8913a', tooltip: { show: false } },
    { name: t('series.band'), type: 'line', data: width, stack: 'band', showSymbol: false,
      lineStyle: { opacity: 0 }, areaStyle: { opacity: 0.25 }, color: '#e8913a' },
    { name: t('series.forecast'), type: 'line', data: mean, showSymbol: false, lineStyle: { width: 2 },
      color: '#d4551c' },
  ];
  if (stockouts.some((v) => v !== null)) {
    out.push({ name: t('series.stockout'), type: 'scatter', data: stockouts, symbolSize: 6, color: '#c0392b' });
  }
  return {
    animationDuration: 300,
    tooltip: TOOLTIP,
    legend: { top: 0, data: out.map((s) => s.name).filter((n) => n !== t('series.band_low')) },
    grid: { left: 50, right: 20, top: 40, bottom: 60 },
    xAxis: { type: 'category', data: dates, boundaryGap: false },
    yAxis: { type: 'value', min: 0, name: t('common.units') },
    dataZoom: [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 8 }],
    series: out,
  };
}

// Projected stock P10/P50/P90 with arrivals and the warning lines and reorder point as
// horizontal marks.
function projectionChartOption(series) {
  const points = series.projection?.points ?? [];
  const dates = points.map((p) => p.date);
  const marks = [];
  const wl = series.warning_lines;
  if (wl && wl.lower !== null && wl.lower !== undefined) {
    marks.push({ name: t('mark.lower'), yAxis: wl.lower, lineStyle: { color: '#c0392b', type: 'dashed' },
      label: { formatter: `${t('mark.lower')} ${fmtNumber(wl.lower, 1)}`, position: 'insideEndTop' } });
  }
  if (wl && wl.upper !== null && wl.upper !== undefined) {
    marks.push({ name: t('mark.upper'), yAxis: wl.upper, lineStyle: { color: '#7d3c98', type: 'dashed' },
      label: { formatter: `${t('mark.upper')} ${fmtNumber(wl.upper, 1)}`, position: 'insideEndTop' } });
  }
  if (series.reorder_point !== null && series.reorder_point !== undefined) {
    marks.push({ name: t('mark.reorder_point'), yAxis: series.reorder_point,
      lineStyle: { color: '#16a085', type: 'dotted' },
      label: { formatter: `${t('mark.reorder_point')} ${fmtNumber(series.reorder_point, 1)}`,
        position: 'insideStartTop' } });
  }
  return {
    animationDuration: 300,
    tooltip: TOOLTIP,
    legend: { top: 0 },
    grid: { left: 50, right: 20, top: 40, bottom: 40 },
    xAxis: { type: 'category', data: dates, boundaryGap: true },
    yAxis: { type: 'value', name: t('common.units') },
    series: [
      { name: t('series.p10'), type: 'line', data: points.map((p) => p.p10), showSymbol: false,
        lineStyle: { type: 'dashed', width: 1 }, color: '#8e9bb0' },
      { name: t('series.p50'), type: 'line', data: points.map((p) => p.p50), showSymbol: false,
        lineStyle: { width: 2 }, color: '#2c3e50',
        markLine: { symbol: 'none', silent: true, data: marks } },
      { name: t('series.p90'), type: 'line', data: points.map((p) => p.p90), showSymbol: false,
        lineStyle: { type: 'dashed', width: 1 }, color: '#5d6d7e' },
      { name: t('series.arrivals'), type: 'bar', data: points.map((p) => p.arrivals ?? 0), barMaxWidth: 8,
        color: '#27ae60' },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Views: each returns {node, mount?}; mount runs once the node is in the document (charts
// need their container's size).

function section(title, ...children) {
  return h('section', { class: 'panel' }, title ? h('h2', {}, title) : null, ...children);
}

function card(label, value, testId, help) {
  return h('div', { class: 'card', 'data-test': testId, title: help },
    h('div', { class: 'card-label' }, label), h('div', { class: 'card-value' }, value));
}

const PERCENT_KPIS = new Set(['stockout_rate', 'fill_rate', 'cycle_service_level', 'forecast_wape', 'forecast_bias']);
const MONEY_KPIS = new Set(['revenue', 'cogs', 'gross_margin', 'lost_sales_value', 'avg_inventory_value', 'inventory_value',
  'holding_cost', 'end_inventory_value']);

function kpiText(metric, value) {
  if (PERCENT_KPIS.has(metric)) return fmtPercent(value);
  if (MONEY_KPIS.has(metric)) return fmtMoney(value);
  return fmtNumber(value, 2);
}

function kpiLabel(metric) {
  const key = `kpi.${metric}`;
  const text = t(key);
  return text === key ? metric.replaceAll('_', ' ') : text;
}

async function viewOverview() {
  let ov;
  try {
    ov = await api('/api/v1/overview');
  } catch (e) {
    if (e.status === 404) {
      return { node: section(t('overview.title'),
        h('p', { class: 'notice', 'data-test': 'no-plan' }, richText(t('overview.no_plan'))),
        h('p', { class: 'muted' }, e.message)) };
    }
    throw e;
  }
  const alerts = ov.alerts ?? {};
  const orders = ov.orders ?? {};
  const kpis = Object.entries(ov.kpis ?? {});
  const chartEl = h('div', { class: 'chart chart-small', id: 'chart-alerts' });
  const node = h('div', { class: 'overview', 'data-test': 'overview' },
    h('div', { class: 'view-head' }, h('h1', {}, t('overview.title')),
      ov.plan_run_id ? h('span', { class: 'muted' }, t('overview.plan_run', { id: ov.plan_run_id })) : null),
    h('div', { class: 'cards' },
      card(t('overview.money_at_risk'), fmtMoney(ov.money_at_risk), 'money-at-risk', t('overview.money_at_risk.help')),
      card(t('overview.alerts.open'), fmtNumber(alerts.open), 'alerts-open'),
      card(t('overview.alerts.acknowledged'), fmtNumber(alerts.acknowledged), 'alerts-acknowledged'),
      card(t('overview.orders.to_order'), fmtNumber(orders.to_order), 'orders-to-order'),
      card(t('overview.orders.value'), fmtMoney(orders.value), 'orders-value'),
      card(t('overview.orders.approved'), fmtNumber(orders.approved), 'orders-approved'),
      card(t('overview.orders.rejected'), fmtNumber(orders.rejected), 'orders-rejected'),
      card(t('overview.orders.lines'), fmtNumber(orders.lines), 'orders-lines')),
    h('div', { class: 'columns' },
      section(t('overview.chart.alerts'),
        h('div', { class: 'level-row' },
          ['high', 'medium', 'low'].map((lv) => h('a', { href: '#/alerts', class: `badge level-${lv}`,
            'data-test': `alerts-${lv}`, onclick: () => { state.alertLevel = lv; state.alertStatus = ''; } },
          `${levelText(lv)}: ${fmtNumber(alerts[lv] ?? 0)}`))),
        chartEl),
      section(t('overview.kpis'),
        h('table', { class: 'kv', 'data-test': 'kpis' },
          h('tbody', {}, kpis.map(([metric, value]) =>
            h('tr', {}, h('th', {}, kpiLabel(metric)), h('td', { class: 'num' }, kpiText(metric, value)))))))));
  return {
    node,
    mount() {
      const chart = makeChart(chartEl);
      const levels = ['high', 'medium', 'low'];
      chart.setOption({
        animationDuration: 300,
        tooltip: { trigger: 'item', renderMode: 'richText' },
        grid: { left: 40, right: 10, top: 10, bottom: 30 },
        xAxis: { type: 'category', data: levels.map(levelText) },
        yAxis: { type: 'value', minInterval: 1 },
        series: [{ type: 'bar', barMaxWidth: 40,
          data: levels.map((lv, i) => ({ value: alerts[lv] ?? 0,
            itemStyle: { color: ['#c0392b', '#e67e22', '#f1c40f'][i] } })) }],
      });
    },
  };
}

async function viewAlerts() {
  const data = await api('/api/v1/alerts');
  const items = data.items ?? [];
  const statuses = [...new Set(items.map((a) => a.status))].sort();
  const levels = ['high', 'medium', 'low'];
  // Most urgent first: level, then open before acknowledged, then the larger impact.
  const rank = { high: 0, medium: 1, low: 2 };
  const shown = items.filter((a) => (!state.alertStatus || a.status === state.alertStatus)
    && (!state.alertLevel || a.level === state.alertLevel))
    .sort((x, y) => (rank[x.level] ?? 3) - (rank[y.level] ?? 3)
      || (x.status === 'open' ? 0 : 1) - (y.status === 'open' ? 0 : 1)
      || (y.impact ?? 0) - (x.impact ?? 0));
  const rerender = () => render();
  const filters = h('div', { class: 'filters' },
    h('label', {}, t('alerts.filter.status'), ' ',
      h('select', { 'data-test': 'alert-status-filter', onchange: (e) => { state.alertStatus = e.target.value; rerender(); } },
        h('option', { value: '' }, t('common.all')),
        statuses.map((s) => h('option', { value: s, selected: s === state.alertStatus }, statusText(s))))),
    h('label', {}, t('alerts.filter.level'), ' ',
      h('select', { 'data-test': 'alert-level-filter', onchange: (e) => { state.alertLevel = e.target.value; rerender(); } },
        h('option', { value: '' }, t('common.all')),
        levels.map((lv) => h('option', { value: lv, selected: lv === state.alertLevel }, levelText(lv))))));
  const body = shown.map((a) => alertRow(a));
  return {
    node: h('div', { 'data-test': 'alerts' },
      h('div', { class: 'view-head' }, h('h1', {}, t('alerts.title')), filters),
      shown.length === 0 ? h('p', { class: 'notice' }, t('alerts.empty'))
        : h('div', { class: 'table-wrap' }, h('table', { class: 'grid' },
          h('thead', {}, h('tr', {}, ['alerts.col.level', 'alerts.col.type', 'alerts.col.series', 'alerts.col.message',
            'alerts.col.action', 'alerts.col.impact', 'alerts.col.probability', 'alerts.col.seen',
            'alerts.col.occurrences', 'alerts.col.status', ''].map((k) => h('th', {}, k ? t(k) : '')))),
          h('tbody', {}, body)))),
  };
}

function alertRow(a) {
  const actions = h('td', {});
  if (a.status === 'open' && canDecide()) {
    actions.append(h('button', { class: 'btn btn-small', 'data-test': `ack-${a.id}`,
      async onclick(e) {
        e.target.disabled = true;
        try {
          await api(`/api/v1/alerts/${encodeURIComponent(a.id)}/ack`, { method: 'POST', body: {} });
          toast(t('alerts.acked', { id: a.id }));
          render();
        } catch (err) {
          e.target.disabled = false;
          toast(t('common.error', { message: err.message }), 'error');
        }
      } }, t('alerts.ack')));
  }
  return h('tr', { 'data-test': `alert-${a.id}` },
    h('td', {}, h('span', { class: `badge level-${a.level}` }, levelText(a.level))),
    h('td', {}, a.type),
    h('td', {}, h('a', { href: skuHref(a.sku, a.location) }, `${a.sku} / ${a.location}`)),
    h('td', { class: 'wrap' }, a.message),
    h('td', {}, a.action ?? ''),
    h('td', { class: 'num' }, fmtMoney(a.impact)),
    h('td', { class: 'num' }, fmtPercent(a.probability)),
    h('td', {}, `${a.first_seen ?? ''} / ${a.last_seen ?? ''}`),
    h('td', { class: 'num' }, fmtNumber(a.occurrences)),
    h('td', {}, statusText(a.status)),
    actions);
}

async function viewSkus() {
  const data = await api('/api/v1/stock');
  const items = (data.items ?? []).slice().sort((x, y) => x.sku.localeCompare(y.sku) || x.location.localeCompare(y.location));
  const tbody = h('tbody', {});
  const count = h('span', { class: 'muted' });
  const fill = () => {
    const q = state.skuQuery.trim().toLowerCase();
    const shown = items.filter((s) => !q || s.sku.toLowerCase().includes(q) || s.location.toLowerCase().includes(q));
    count.textContent = t('skus.count', { n: shown.length });
    tbody.replaceChildren(...shown.map((s) => h('tr', { 'data-test': 'sku-row' },
      h('td', {}, h('a', { href: skuHref(s.sku, s.location), 'data-test': `sku-link-${s.sku}` }, s.sku)),
      h('td', {}, s.location),
      h('td', { class: 'num' }, fmtNumber(s.on_hand, 1)),
      h('td', { class: 'num' }, fmtNumber(s.on_order, 1)),
      h('td', { class: 'num' }, fmtNumber(s.available, 1)))));
  };
  const search = h('input', { type: 'search', placeholder: t('common.search'), value: state.skuQuery,
    'data-test': 'sku-search', oninput: (e) => { state.skuQuery = e.target.value; fill(); } });
  fill();
  return {
    node: h('div', { 'data-test': 'skus' },
      h('div', { class: 'view-head' }, h('h1', {}, t('skus.title')), search, count),
      items.length === 0 ? h('p', { class: 'notice' }, t('skus.empty'))
        : h('div', { class: 'table-wrap' }, h('table', { class: 'grid' },
          h('thead', {}, h('tr', {}, ['skus.col.sku', 'skus.col.location', 'skus.col.on_hand', 'skus.col.on_order',
            'skus.col.available'].map((k) => h('th', {}, t(k))))),
          tbody))),
  };
}

async function viewSku(route) {
  const { sku, location: loc } = route;
  const s = await api(`/api/v1/series/${encodeURIComponent(sku)}/${encodeURIComponent(loc)}`);
  const demandEl = h('div', { class: 'chart', id: 'chart-demand', 'data-test': 'chart-demand' });
  const projEl = h('div', { class: 'chart', id: 'chart-projection', 'data-test': 'chart-projection' });
  const stock = s.stock ?? {};
  const wl = s.warning_lines ?? {};
  const facts = [
    [t('sku.product'), s.product?.name ?? t('common.none')],
    [t('sku.category'), s.product?.category ?? t('common.none')],
    [t('sku.on_hand'), fmtNumber(stock.on_hand, 1)],
    [t('sku.on_order'), fmtNumber(stock.on_order, 1)],
    [t('sku.available'), fmtNumber(stock.available, 1)],
    [t('sku.reorder_point'), fmtNumber(s.reorder_point, 1)],
    [t('sku.order_up_to'), fmtNumber(s.order_up_to, 1)],
    [t('sku.warning_lower'), fmtNumber(wl.lower, 1)],
    [t('sku.warning_upper'), fmtNumber(wl.upper, 1)],
    [t('sku.model'), s.forecast?.model ?? t('common.none')],
  ];
  const lines = s.plan_lines ?? [];
  const alerts = s.alerts ?? [];
  const node = h('div', { 'data-test': 'sku-page' },
    h('p', {}, h('a', { href: '#/skus' }, t('sku.back'))),
    h('div', { class: 'view-head' }, h('h1', { 'data-test': 'sku-title' }, t('sku.title', { sku: s.sku, location: s.location }))),
    h('div', { class: 'cards' }, facts.map(([label, value]) => card(label, value))),
    section(t('sku.chart.demand'), s.forecast ? null : h('p', { class: 'muted' }, t('sku.no_forecast')), demandEl),
    section(t('sku.chart.projection'), s.projection ? projEl : h('p', { class: 'notice' }, richText(t('sku.no_projection')))),
    lines.length ? section(t('sku.plan_lines'), ordersTable(lines, s.projection?.run_id ?? null)) : null,
    alerts.length ? section(t('sku.alerts'), h('div', { class: 'table-wrap' }, h('table', { class: 'grid' },
      h('tbody', {}, alerts.map((a) => alertRow(a)))))) : null);
  return {
    node,
    mount() {
      makeChart(demandEl).setOption(demandChartOption(s));
      if (s.projection) makeChart(projEl).setOption(projectionChartOption(s));
    },
  };
}

// The plan lines as a table with their explanation and approve/reject controls. `run` is the
// plan run the lines belong to (the approve route names it).
function ordersTable(lines, run) {
  const head = ['orders.col.line', 'orders.col.series', 'orders.col.supplier', 'orders.col.quantity',
    'orders.col.unit_cost', 'orders.col.value', 'orders.col.decision', 'orders.col.dates', 'orders.col.levels',
    'orders.col.stock', 'orders.col.dos', 'orders.col.risk', 'orders.col.binding'];
  const tbody = h('tbody', {});
  for (const l of lines) {
    tbody.append(orderRow(l, run), explanationRow(l, head.length));
  }
  return h('div', { class: 'table-wrap' }, h('table', { class: 'grid orders', 'data-test': 'orders-table' },
    h('thead', {}, h('tr', {}, head.map((k) => h('th', {}, t(k))))), tbody));
}

function explanationText(explanation) {
  if (explanation === null || explanation === undefined || explanation === '') return t('common.none');
  if (typeof explanation === 'string') return explanation;
  return JSON.stringify(explanation, null, 2);
}

function explanationRow(l, span) {
  return h('tr', { class: 'explanation-row', 'data-test': `explanation-${l.line}` },
    h('td', { colspan: span },
      h('details', { open: (l.quantity ?? 0) > 0 }, h('summary', {}, t('orders.explanation')),
        h('pre', { class: 'explanation' }, explanationText(l.explanation)))));
}

function orderRow(l, run) {
  const value = (l.quantity ?? 0) * (l.unit_cost ?? 0);
  const decisionCell = h('td', { class: 'decision', 'data-test': `decision-${l.line}` });
  const d = l.decision;
  if (d) {
    appendChildren(decisionCell, [
      h('span', { class: `badge status-${d.status}`, 'data-test': `status-${l.line}` }, statusText(d.status)),
      ' ', d.status === 'approved' ? fmtNumber(d.quantity, 1) : null,
      d.po_id ? h('div', { class: 'muted' }, t('orders.po', { po: d.po_id })) : null,
      h('div', { class: 'muted' }, t('orders.decided_by', { status: statusText(d.status), actor: d.actor ?? '',
        at: fmtDateTime(d.decided_at) })),
      d.note ? h('div', { class: 'muted' }, d.note) : null]);
  } else if (!canDecide() || run === null) {
    decisionCell.append(h('span', { class: 'badge status-pending' }, statusText('pending')));
  } else {
    decisionCell.append(decisionControls(l, run, decisionCell));
  }
  return h('tr', { 'data-test': `order-${l.line}`, class: l.quantity > 0 ? '' : 'zero' },
    h('td', { class: 'num' }, l.line),
    h('td', {}, h('a', { href: skuHref(l.sku, l.location) }, `${l.sku} / ${l.location}`)),
    h('td', {}, l.supplier_id ?? ''),
    h('td', { class: 'num' }, fmtNumber(l.quantity, 1)),
    h('td', { class: 'num' }, fmtMoney(l.unit_cost)),
    h('td', { class: 'num' }, fmtMoney(value)),
    decisionCell,
    h('td', {}, `${l.order_date ?? ''} → ${l.arrival_date ?? ''}`),
    h('td', { class: 'num' }, `${fmtNumber(l.reorder_point, 1)} / ${fmtNumber(l.order_up_to, 1)} / ${fmtNumber(l.safety_stock, 1)}`),
    h('td', { class: 'num' }, `${fmtNumber(l.on_hand, 1)} / ${fmtNumber(l.on_order, 1)}`),
    h('td', { class: 'num' }, fmtNumber(l.days_of_supply, 1)),
    h('td', { class: 'num' }, fmtPercent(l.stockout_probability)),
    h('td', {}, l.binding ?? ''));
}

function decisionControls(l, run, cell) {
  const base = `/api/v1/plans/${encodeURIComponent(run)}/lines/${encodeURIComponent(l.line)}`;
  const qty = h('input', { type: 'number', min: '0', step: 'any', value: String(l.quantity ?? 0),
    class: 'qty', 'data-test': `qty-${l.line}`, 'aria-label': t('orders.col.quantity') });
  const note = h('input', { type: 'text', placeholder: t('orders.note'), class: 'note', 'data-test': `note-${l.line}` });
  const approve = h('button', { class: 'btn btn-primary btn-small', 'data-test': `approve-${l.line}`,
    async onclick() {
      approve.disabled = true;
      const body = {};
      const q = Number(qty.value);
      if (qty.value !== '' && Number.isFinite(q) && q !== l.quantity) body.quantity = q;
      if (note.value.trim()) body.note = note.value.trim();
      try {
        const decision = await api(`${base}/approve`, { method: 'POST', body });
        toast(t('orders.approved', { line: l.line, quantity: fmtNumber(decision.quantity ?? q, 1) }));
        render();
      } catch (e) {
        approve.disabled = false;
        toast(t('common.error', { message: e.message }), 'error');
      }
    } }, t('orders.approve'));
  const reject = h('button', { class: 'btn btn-small', 'data-test': `reject-${l.line}`,
    onclick() {
      const reason = h('input', { type: 'text', placeholder: t('orders.reason'), class: 'note',
        'data-test': `reason-${l.line}` });
      const confirm = h('button', { class: 'btn btn-danger btn-small', 'data-test': `confirm-reject-${l.line}`,
        async onclick() {
          if (!reason.value.trim()) {
            toast(t('orders.reason.required'), 'error');
            return;
          }
          confirm.disabled = true;
          try {
            await api(`${base}/reject`, { method: 'POST', body: { reason: reason.value.trim() } });
            toast(t('orders.rejected', { line: l.line }));
            render();
          } catch (e) {
            confirm.disabled = false;
            toast(t('common.error', { message: e.message }), 'error');
          }
        } }, t('orders.confirm_reject'));
      const cancel = h('button', { class: 'btn btn-small', onclick: () => cell.replaceChildren(decisionControls(l, run, cell)) },
        t('orders.cancel'));
      cell.replaceChildren(h('div', { class: 'controls' }, reason, confirm, cancel));
      reason.focus();
    } }, t('orders.reject'));
  return h('div', { class: 'controls' }, qty, note, approve, reject);
}

async function downloadCsv(run) {
  const res = await api(`/api/v1/plans/${encodeURIComponent(run)}/purchase-orders.csv`, { raw: true });
  const blob = await res.blob();
  const file = `purchase-orders-${run}.csv`;
  const url = URL.createObjectURL(new Blob([blob], { type: 'text/csv' }));
  const a = h('a', { href: url, download: file, class: 'hidden' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  toast(t('orders.downloaded', { file }));
}

async function viewOrders() {
  let plan;
  try {
    plan = await api('/api/v1/plans/latest');
  } catch (e) {
    if (e.status === 404) {
      return { node: section(t('orders.title'), h('p', { class: 'notice' }, t('orders.no_plan')),
        h('p', { class: 'muted' }, e.message)) };
    }
    throw e;
  }
  const run = plan.plan_run_id;
  const items = plan.items ?? [];
  const shown = state.onlyToOrder ? items.filter((l) => (l.quantity ?? 0) > 0 || l.decision) : items;
  const total = items.filter((l) => (l.quantity ?? 0) > 0)
    .reduce((sum, l) => sum + (l.quantity ?? 0) * (l.unit_cost ?? 0), 0);
  const download = h('button', { class: 'btn', 'data-test': 'download-csv',
    async onclick() {
      download.disabled = true;
      try {
        await downloadCsv(run);
      } catch (e) {
        toast(t('common.error', { message: e.message }), 'error');
      } finally {
        download.disabled = false;
      }
    } }, t('orders.download'));
  const filter = h('label', { class: 'check' },
    h('input', { type: 'checkbox', checked: state.onlyToOrder, 'data-test': 'only-to-order',
      onchange: (e) => { state.onlyToOrder = e.target.checked; render(); } }),
    ' ', t('orders.only_to_order'));
  return {
    node: h('div', { 'data-test': 'orders' },
      h('div', { class: 'view-head' }, h('h1', {}, t('orders.title')),
        h('span', { class: 'muted' }, t('orders.plan_run', { id: run })),
        h('span', { class: 'muted' }, t('orders.total', { n: items.filter((l) => (l.quantity ?? 0) > 0).length,
          value: fmtMoney(total) })),
        filter, download),
      canDecide() ? null : h('p', { class: 'notice' }, t('orders.viewer')),
      shown.length === 0 ? h('p', { class: 'notice' }, t('orders.empty')) : ordersTable(shown, run)),
  };
}

function viewLogin() {
  const input = h('input', { type: 'password', id: 'token', name: 'token', autocomplete: 'off',
    placeholder: 'sc_…', 'data-test': 'token-input', 'aria-label': t('login.token') });
  const message = h('p', { class: 'login-message', 'data-test': 'login-message', role: 'alert' });
  const form = h('form', { class: 'login', 'data-test': 'login-form',
    async onsubmit(e) {
      e.preventDefault();
      const value = input.value.trim();
      if (!value) {
        message.textContent = t('login.empty');
        return;
      }
      message.textContent = t('login.checking');
      try {
        const me = await api('/api/v1/me', { tokenOverride: value });
        setToken(value);
        state.me = me;
        location.hash = '#/overview';  // hashchange renders the overview
      } catch (err) {
        message.textContent = t('login.failed', { message: err.message });
      }
    } },
  h('h1', {}, t('login.title')),
  h('p', { class: 'muted' }, richText(t('login.help'))),
  h('label', { for: 'token' }, t('login.token')), input,
  h('button', { type: 'submit', class: 'btn btn-primary', 'data-test': 'login-submit' }, t('login.submit')),
  message);
  return { node: form, mount: () => input.focus() };
}

// ---------------------------------------------------------------------------------------------
// Router and page chrome

const VIEWS = { login: viewLogin, overview: viewOverview, alerts: viewAlerts, skus: viewSkus, sku: viewSku,
  orders: viewOrders };

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, '').split('/');
  const name = parts[0] || 'overview';
  if (name === 'sku' && parts.length >= 3) {
    try {
      return { name, sku: decodeURIComponent(parts[1]), location: decodeURIComponent(parts.slice(2).join('/')) };
    } catch {
      return { name: 'skus' };
    }
  }
  return { name: name in VIEWS && name !== 'sku' ? name : 'overview' };
}

function renderChrome(route) {
  const nav = document.getElementById('nav');
  const user = document.getElementById('user');
  const langBtn = document.getElementById('lang-toggle');
  document.title = `${t('app.title')} · ${t(`nav.${route.name === 'sku' ? 'skus' : route.name}`)}`;
  document.getElementById('tagline').textContent = t('app.tagline');
  langBtn.textContent = t('lang.toggle');
  langBtn.title = t('lang.toggle.title');
  const links = ['overview', 'alerts', 'skus', 'orders'];
  const active = route.name === 'sku' ? 'skus' : route.name;
  nav.replaceChildren(...(token() ? links.map((name) => h('a', { href: `#/${name}`, 'data-test': `nav-${name}`,
    class: name === active ? 'active' : '' }, t(`nav.${name}`))) : []));
  user.replaceChildren();
  if (token() && state.me) {
    user.append(h('span', { class: 'muted', 'data-test': 'whoami' }, t('auth.signed_in', state.me)), ' ',
      h('button', { class: 'btn btn-small', 'data-test': 'logout',
        onclick() {
          setToken('');
          state.me = null;
          location.hash = '#/login';
        } }, t('auth.logout')));
  }
}

async function render() {
  const seq = ++state.renderSeq;
  const route = parseHash();
  const view = document.getElementById('view');
  if (!token() && route.name !== 'login') {
    location.hash = '#/login';  // hashchange renders the login page
    return;
  }
  if (token() && route.name === 'login') {
    location.hash = '#/overview';
    return;
  }
  try {
    if (token() && !state.me) state.me = await api('/api/v1/me');
  } catch (e) {
    if (seq !== state.renderSeq) return;
    if (e.status === 401) return;  // api() already sent the page to #/login
    disposeCharts();
    renderChrome(route);
    view.replaceChildren(errorBox(e));
    return;
  }
  if (seq !== state.renderSeq) return;
  renderChrome(route);
  if (!view.firstChild) view.append(h('p', { class: 'loading' }, t('common.loading')));
  view.setAttribute('aria-busy', 'true');
  let result;
  try {
    result = await VIEWS[route.name](route);
  } catch (e) {
    if (seq !== state.renderSeq) return;
    disposeCharts();
    view.replaceChildren(errorBox(e));
    view.removeAttribute('aria-busy');
    return;
  }
  if (seq !== state.renderSeq) return;
  disposeCharts();
  view.replaceChildren(result.node);
  view.removeAttribute('aria-busy');
  view.dataset.route = route.name;
  result.mount?.();
}

function errorBox(e) {
  return h('div', { class: 'error', 'data-test': 'error', role: 'alert' },
    h('p', {}, t('common.error', { message: e.message })),
    h('button', { class: 'btn', onclick: () => render() }, t('common.retry')));
}

function start() {
  document.documentElement.lang = getLang() === 'zh' ? 'zh-CN' : 'en';
  document.getElementById('lang-toggle').addEventListener('click', () => toggleLang());
  window.addEventListener('langchange', () => render());
  window.addEventListener('hashchange', () => render());
  if (typeof echarts === 'undefined') {
    document.getElementById('view').replaceChildren(h('p', { class: 'error' },
      'ECharts did not load from /assets/echarts.min.js.'));
    return;
  }
  render();
}

start();
