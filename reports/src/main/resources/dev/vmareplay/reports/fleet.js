// The fleet report: many runs (one per trace) read from Parquet. Data: see FleetReportWriter.
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('report-data').textContent);
  var main = document.getElementById('report');
  var COLORS = ['#2563eb', '#16a34a', '#f59e0b', '#dc2626', '#7c3aed', '#0891b2', '#db2777', '#65a30d',
                '#ea580c', '#4f46e5', '#0d9488', '#a16207', '#9333ea', '#475569'];

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    (kids || []).forEach(function (c) { e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  function num(v) { return v === null || v === undefined ? '' : Number(v).toLocaleString('en-US'); }
  function ns(v) {
    if (v === null || v === undefined) return '';
    if (v >= 1e9) return (v / 1e9).toFixed(2) + ' s';
    if (v >= 1e6) return (v / 1e6).toFixed(2) + ' ms';
    if (v >= 1e3) return (v / 1e3).toFixed(1) + ' µs';
    return v + ' ns';
  }
  function section(id, title, kids) {
    document.getElementById('nav').appendChild(el('a', { href: '#' + id }, [title]));
    return el('section', { id: id }, [el('h2', {}, [title])].concat(kids));
  }
  function table(attrs, head, rows) {
    var t = el('table', attrs);
    t.appendChild(el('tr', {}, head.map(function (h) { return el('th', h.num ? { 'class': 'num' } : {}, [h.t || h]); })));
    rows.forEach(function (r) { t.appendChild(r); });
    return t;
  }
  function shortName(p) { return p ? String(p).split('/').slice(-3).join('/') : ''; }

  try {
    main.innerHTML = '';
    var runs = D.runs, failed = runs.filter(function (r) { return r.error !== null; });
    var totalEvents = runs.reduce(function (a, r) { return a + (r.events || 0); }, 0);
    main.appendChild(section('fleet', 'Fleet', [el('dl', { 'class': 'kv', 'data-chart': 'fleet', 'data-traces': runs.length, 'data-failed': failed.length }, [
      el('dt', {}, ['traces']), el('dd', {}, [num(runs.length)]),
      el('dt', {}, ['replayed']), el('dd', {}, [num(runs.length - failed.length)]),
      el('dt', {}, ['failed']), el('dd', { 'class': failed.length ? 'warn' : 'ok' }, [num(failed.length)]),
      el('dt', {}, ['events']), el('dd', {}, [num(totalEvents)]),
      el('dt', {}, ['kernel']), el('dd', {}, [D.kernels.join(', ')]),
      el('dt', {}, ['source']), el('dd', {}, [D.dir])])]));

    // case mix per trace: one stacked bar per trace, kinds in the fleet's order (most frequent first)
    var byRun = {};
    D.mix.forEach(function (m) { (byRun[m.run_id] = byRun[m.run_id] || {})[m.kind] = m.n; });
    var legend = el('div', { 'class': 'legend' }, D.kinds.map(function (k, i) {
      return el('span', {}, [el('i', { style: 'background:' + COLORS[i % COLORS.length] }), k]);
    }));
    var shown = runs.filter(function (r) { return r.error === null; }).slice(0, D.maxTraces);
    var mixRows = shown.map(function (r) {
      var counts = byRun[r.run_id] || {}, total = 0;
      D.kinds.forEach(function (k) { total += counts[k] || 0; });
      var bar = el('div', { 'class': 'mix', title: D.kinds.map(function (k) { return k + ' ' + (counts[k] || 0); }).join(', ') });
      D.kinds.forEach(function (k, i) {
        if (counts[k]) bar.appendChild(el('i', { style: 'width:' + (100 * counts[k] / total).toFixed(3) + '%;background:' + COLORS[i % COLORS.length], 'data-kind': k, 'data-n': counts[k] }));
      });
      return el('tr', { 'data-run': r.run_id }, [el('td', { 'class': 'num' }, [String(r.run_id)]), el('td', { 'class': 'trace', title: r.trace }, [shortName(r.trace)]),
        el('td', { 'class': 'num' }, [num(r.events)]), el('td', { 'class': 'num' }, [num(total)]), el('td', { 'class': 'bar' }, [bar])]);
    });
    main.appendChild(section('mix', 'Case mix per trace', [legend,
      el('div', { 'class': 'scroll' }, [table({ 'data-chart': 'case-mix', 'data-traces': shown.length },
        ['run', 'trace', { t: 'events', num: 1 }, { t: 'engine events', num: 1 }, 'mix'], mixRows)]),
      el('p', { 'class': 'muted' }, [shown.length < runs.length - failed.length
        ? 'The first ' + shown.length + ' of ' + (runs.length - failed.length) + ' replayed traces, by run id.' : ''])]));

    // the traces with the most refused merges, with their reasons
    var maxRef = D.topRefusals.length ? D.topRefusals[0].n : 1;
    var refRows = D.topRefusals.map(function (r) {
      return el('tr', { 'data-run': r.run_id }, [el('td', { 'class': 'num' }, [String(r.run_id)]), el('td', { 'class': 'trace', title: r.trace }, [shortName(r.trace)]),
        el('td', { 'class': 'num' }, [num(r.n)]), el('td', {}, [r.reasons]),
        el('td', { 'class': 'bar' }, [el('div', { 'class': 'barfill', style: 'width:' + (100 * r.n / maxRef).toFixed(1) + '%' })])]);
    });
    main.appendChild(section('refusals', 'Traces with the most refusals', [
      table({ 'data-chart': 'top-refusals', 'data-rows': refRows.length }, ['run', 'trace', { t: 'refused', num: 1 }, 'reasons', ''], refRows)]));

    // fleet latency: the percentiles of each name's histograms merged over every trace
    var latRows = D.latency.map(function (l) {
      return el('tr', {}, [el('td', {}, [l.scope]), el('td', {}, [l.name]), el('td', { 'class': 'num' }, [num(l.count)]), el('td', { 'class': 'num' }, [num(l.traces)]),
        el('td', { 'class': 'num' }, [ns(l.p50_ns)]), el('td', { 'class': 'num' }, [ns(l.p90_ns)]), el('td', { 'class': 'num' }, [ns(l.p99_ns)]),
        el('td', { 'class': 'num' }, [ns(l.p999_ns)]), el('td', { 'class': 'num' }, [ns(l.max_ns)])]);
    });
    main.appendChild(section('latency', 'Fleet latency percentiles', [
      el('p', { 'class': 'muted' }, ['Each row merges the HdrHistograms of every trace (exact: the percentiles of all values together, not an average of percentiles). syscall and case: the kernel\'s duration as traced; engine: the model\'s own time.']),
      el('div', { 'class': 'scroll' }, [table({ 'data-chart': 'fleet-latency', 'data-rows': latRows.length },
        ['scope', 'name', { t: 'count', num: 1 }, { t: 'traces', num: 1 }, { t: 'p50', num: 1 }, { t: 'p90', num: 1 }, { t: 'p99', num: 1 }, { t: 'p99.9', num: 1 }, { t: 'max', num: 1 }], latRows)])]));

    var failRows = failed.slice(0, D.maxTraces).map(function (r) {
      return el('tr', { 'data-run': r.run_id }, [el('td', { 'class': 'num' }, [String(r.run_id)]), el('td', { 'class': 'trace' }, [String(r.trace)]), el('td', {}, [String(r.error).split('\n')[0]])]);
    });
    main.appendChild(section('failed', 'Failed traces', [failed.length
      ? table({ 'data-chart': 'failed', 'data-rows': failRows.length }, ['run', 'trace', 'error'], failRows)
      : el('p', { 'class': 'ok', 'data-chart': 'failed', 'data-rows': 0 }, ['Every trace was replayed.'])]));

    document.body.setAttribute('data-rendered', 'ok');
  } catch (e) {
    window.__errors.push(String(e && e.stack || e));
    var pre = document.getElementById('js-errors'); pre.hidden = false; pre.textContent = window.__errors.join('\n');
    document.body.setAttribute('data-rendered', 'failed');
  }
})();
