(function () {
  'use strict';
  var DATA = JSON.parse(document.getElementById('report-data').textContent);
  var MAX = DATA.maxMapCount;
  var RUNS = DATA.runs;
  var root = document.getElementById('report');
  var nav = document.getElementById('nav');
  var SVGNS = 'http://www.w3.org/2000/svg';

  // ---------- helpers ----------
  function el(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'html') e.innerHTML = attrs[k];
      else if (k === 'cls') e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c == null) continue;
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return e;
  }
  function sv(tag, attrs) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  }
  function fmtInt(n) { return n == null ? '–' : Number(n).toLocaleString('en-US'); }
  function fmtBytes(b) {
    if (b == null) return '–';
    var u = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'], i = 0; b = Number(b);
    while (Math.abs(b) >= 1024 && i < u.length - 1) { b /= 1024; i++; }
    return (i === 0 ? b : b.toFixed(b < 10 ? 2 : 1)) + ' ' + u[i];
  }
  function fmtNs(ns) {
    if (ns == null) return '–';
    ns = Number(ns);
    if (ns < 1e3) return ns + ' ns';
    if (ns < 1e6) return (ns / 1e3).toFixed(ns < 1e4 ? 2 : 1) + ' µs';
    if (ns < 1e9) return (ns / 1e6).toFixed(2) + ' ms';
    return (ns / 1e9).toFixed(2) + ' s';
  }
  function pct(a, b) { return b ? (100 * a / b).toFixed(1) + '%' : '–'; }
  function table(headers, rows, numeric) {
    var t = el('table');
    var tr = el('tr');
    headers.forEach(function (h, i) { tr.appendChild(el('th', { cls: numeric && numeric[i] ? 'num' : '', text: h })); });
    t.appendChild(el('thead', null, tr));
    var tb = el('tbody');
    rows.forEach(function (r) {
      var row = el('tr');
      r.forEach(function (c, i) {
        if (c instanceof Node) row.appendChild(el('td', null, c));
        else if (c && typeof c === 'object' && 'text' in c) row.appendChild(el('td', { cls: c.cls || '', text: c.text }));
        else row.appendChild(el('td', { cls: numeric && numeric[i] ? 'num' : '', text: c == null ? '–' : String(c) }));
      });
      tb.appendChild(row);
    });
    t.appendChild(tb);
    return t;
  }
  function section(parent, id, title, note) {
    var s = el('section', { id: id }, el('h2', { text: title }));
    if (note) s.appendChild(el('p', { cls: 'muted', text: note }));
    parent.appendChild(s);
    return s;
  }
  function groupOf(kind) {
    if (kind.indexOf('new_') === 0) return 'new range';
    if (kind.indexOf('existing_') === 0) return 'existing range';
    return kind;
  }
  var GROUP_COLORS = { 'new range': '#2563eb', 'existing range': '#7c3aed', split: '#ea580c', expand: '#16a34a',
    shrink: '#0891b2', remove: '#64748b', refused: '#dc2626' };
  var GROUPS = ['new range', 'existing range', 'split', 'expand', 'shrink', 'remove', 'refused'];

  /** Horizontal bar chart as SVG; items: [{label, value, color}]. */
  function barChart(items, name) {
    var w = 560, rowH = 20, left = 170, right = 80, h = items.length * rowH + 10;
    var max = Math.max.apply(null, items.map(function (i) { return i.value; }).concat([1]));
    var svg = sv('svg', { width: w, height: h, viewBox: '0 0 ' + w + ' ' + h, 'data-chart': name, 'data-bars': items.length });
    items.forEach(function (it, k) {
      var y = 5 + k * rowH, bw = (w - left - right) * it.value / max;
      var lab = sv('text', { x: left - 6, y: y + 13, 'text-anchor': 'end', 'font-size': 12, fill: '#1d2330' });
      lab.textContent = it.label; svg.appendChild(lab);
      var r = sv('rect', { x: left, y: y + 2, width: Math.max(bw, it.value > 0 ? 1 : 0), height: rowH - 6, fill: it.color || '#2563eb',
        rx: 2, 'data-label': it.label, 'data-value': it.value });
      var t = sv('title', {}); t.textContent = it.label + ': ' + fmtInt(it.value); r.appendChild(t);
      svg.appendChild(r);
      var v = sv('text', { x: left + bw + 5, y: y + 13, 'font-size': 11, fill: '#475569' });
      v.textContent = fmtInt(it.value); svg.appendChild(v);
    });
    return svg;
  }

  // ---------- sections of one run ----------
  function caseMap(run) {
    var m = {}; RUNS[0].kinds.forEach(function (k) { m[k] = 0; });
    run.cases.forEach(function (c) { m[c.kind] = c.n; });
    return m;
  }
  function reasonMap(run) {
    var m = {};
    run.refusals.forEach(function (r) { m[r.reason] = (m[r.reason] || 0) + r.n; });
    return m;
  }

  function summary(parent, run, tag) {
    var r = run.run[0];
    var s = section(parent, tag + 'summary', 'Run ' + r.run_id + ': summary');
    var dl = el('dl', { cls: 'kv' });
    function kv(k, v, cls) { dl.appendChild(el('dt', { text: k })); dl.appendChild(el('dd', { text: v, cls: cls || '' })); }
    kv('started / finished', (r.started_at || '?') + ' / ' + (r.finished_at || '?'));
    kv('tool version / kernel model', r.tool_version + ' / ' + r.kernel);
    kv('inputs', (r.inputs || []).join(', ') + (r.input_format ? '  (' + r.input_format + ')' : ''));
    kv('options', r.options || '{}');
    kv('events', fmtInt(r.events) + ' (' + fmtBytes(r.bytes_read) + ' read)');
    kv('engine events', fmtInt(r.vma_events));
    kv('processes / address spaces', fmtInt(r.processes) + ' / ' + fmtInt(run.mms[0].address_spaces));
    kv('peak VMA count', fmtInt(run.mms[0].max_peak) + ' (' + pct(run.mms[0].max_peak || 0, MAX) + ' of vm.max_map_count ' + fmtInt(MAX) + ')',
      (run.mms[0].max_peak || 0) > 0.8 * MAX ? 'warn' : '');
    kv('divergences', fmtInt(r.divergences) + (r.divergences ? ' (the model had to reconcile: see Divergences)' : ''), r.divergences ? 'warn' : 'ok');
    kv('lost events', fmtInt(r.lost_events), r.lost_events ? 'warn' : '');
    kv('fd table complete', r.fd_table_complete == null ? '–' : r.fd_table_complete ? 'yes' : 'no: some file identities come from paths alone',
      r.fd_table_complete === false ? 'warn' : '');
    s.appendChild(dl);

    s.appendChild(el('h3', { text: 'Parse coverage' }));
    var total = run.coverage.reduce(function (a, c) { return a + c.n; }, 0);
    var order = ['parsed', 'paired', 'ignored', 'orphaned', 'malformed'];
    var cov = run.coverage.slice().sort(function (a, b) { return order.indexOf(a.class) - order.indexOf(b.class); });
    s.appendChild(table(['line class', 'lines', 'share'], cov.map(function (c) {
      return [c.class, { text: fmtInt(c.n), cls: 'num' + (c.class === 'malformed' && c.n ? ' up' : '') }, { text: pct(c.n, total), cls: 'num' }];
    }), [false, true, true]));
    if (run.examples.length) {
      s.appendChild(el('h3', { text: 'Malformed lines (first ' + run.examples.length + ')' }));
      s.appendChild(el('pre', { cls: 'examples', text: run.examples.map(function (x) {
        return x.file + ':' + x.line + ': ' + x.problem + '\n    ' + x.text; }).join('\n') }));
    }
    s.appendChild(el('h3', { text: 'System calls' }));
    s.appendChild(el('div', { cls: 'scroll' }, table(['syscall', 'events', 'failed'], run.syscalls.map(function (c) {
      return [c.syscall, c.n, c.failed]; }), [false, true, true])));
  }

  function cases(parent, run, tag) {
    var s = section(parent, tag + 'cases', 'Merge and split cases',
      'Every engine primitive the replay ran, in the kernel\'s vocabulary (mm/vma.c). "new range": a new mapping merged with its neighbours (vma_merge_new_range); "existing range": a changed part of a VMA merged (vma_merge_existing_range).');
    var m = caseMap(run);
    var groups = {}; GROUPS.forEach(function (g) { groups[g] = 0; });
    Object.keys(m).forEach(function (k) { groups[groupOf(k)] = (groups[groupOf(k)] || 0) + m[k]; });
    var total = Object.keys(m).reduce(function (a, k) { return a + m[k]; }, 0);
    var chart = el('div', { cls: 'chart' }, el('div', { cls: 'chart-title', text: 'Cases by group' }),
      barChart(GROUPS.map(function (g) { return { label: g, value: groups[g], color: GROUP_COLORS[g] }; }), 'case-groups'));
    var chart2 = el('div', { cls: 'chart' }, el('div', { cls: 'chart-title', text: 'Cases by kind' }),
      barChart(RUNS[0].kinds.map(function (k) { return { label: k, value: m[k], color: GROUP_COLORS[groupOf(k)] }; }), 'case-kinds'));
    s.appendChild(el('div', { cls: 'cols' }, chart, chart2));
    s.appendChild(table(['kind', 'group', 'events', 'share'], RUNS[0].kinds.map(function (k) {
      return [k, groupOf(k), m[k], pct(m[k], total)]; }), [false, false, true, true]));
    if (run.legacy.length) {
      s.appendChild(el('h3', { text: 'As pre-6.12 vma_merge() cases 1–8' }));
      s.appendChild(table(['case', 'events'], run.legacy.map(function (l) { return [l.legacy_case, l.n]; }), [true, true]));
    }
  }

  function refusals(parent, run, tag) {
    var s = section(parent, tag + 'refusals', 'Refused merges',
      'Merges that were geometrically possible but refused, by the rule that refused them. "assumed": the decision rested on state the trace cannot show.');
    var m = reasonMap(run);
    var reasons = Object.keys(m).sort(function (a, b) { return m[b] - m[a]; });
    if (!reasons.length) { s.appendChild(el('p', { text: 'No merge was refused.' })); return; }
    s.appendChild(el('div', { cls: 'chart' }, barChart(reasons.map(function (r) {
      return { label: r, value: m[r], color: '#dc2626' }; }), 'refusal-reasons')));
    var syscalls = [];
    run.refusals.forEach(function (r) { if (syscalls.indexOf(r.syscall) < 0) syscalls.push(r.syscall); });
    var rows = syscalls.map(function (sc) {
      return [sc].concat(reasons.map(function (rs) {
        var hit = run.refusals.filter(function (r) { return r.syscall === sc && r.reason === rs; })[0];
        return hit ? hit.n + (hit.assumed ? ' (' + hit.assumed + ' assumed)' : '') : '';
      }));
    });
    s.appendChild(el('h3', { text: 'Per syscall' }));
    s.appendChild(table(['syscall'].concat(reasons), rows, [false].concat(reasons.map(function () { return true; }))));
  }

  function timelines(parent, run, tag) {
    var s = section(parent, tag + 'timeline', 'VMA count and mapped bytes over time',
      'The busiest address spaces (by peak VMA count). Red dashed line: vm.max_map_count = ' + fmtInt(MAX) +
      ', where mmap starts failing with ENOMEM. Drag across a chart to zoom; double-click to reset. Long timelines are downsampled (maximum per bucket: peaks are kept).');
    if (!run.peaks.length) { s.appendChild(el('p', { text: 'No timeline recorded.' })); return; }
    var t0 = run.t0[0] && run.t0[0].t0, timed = t0 != null && run.t0[0].untimed === 0;
    var ctl = el('div', { cls: 'controls' });
    var from = el('input', { type: 'number', step: 'any', placeholder: 'from' });
    var to = el('input', { type: 'number', step: 'any', placeholder: 'to' });
    var apply = el('button', { text: 'apply window' }), reset = el('button', { text: 'whole run' });
    var lin = el('input', { type: 'checkbox' });
    ctl.appendChild(el('span', { text: 'Time window (' + (timed ? 'seconds from the first event' : 'event seq') + '):' }));
    [from, to, apply, reset].forEach(function (x) { ctl.appendChild(x); });
    ctl.appendChild(el('label', null, lin, ' linear VMA-count scale (fit data)'));
    s.appendChild(ctl);
    var plots = [];
    run.peaks.forEach(function (p) {
      var col = (run.timelines[String(p.mm_id)] || [])[0] || {};
      var seqs = col.seq || [], ts = col.ts_ns || [], ys = col.vma_count || [], bs = col.mapped_bytes || [];
      var mono = timed;
      for (var i = 1; mono && i < ts.length; i++) if (ts[i] == null || ts[i] < ts[i - 1]) mono = false;
      var xs = mono ? ts.map(function (v) { return (v - t0) / 1e9; }) : seqs;
      var peakX = mono && p.peak_ts_ns != null ? (p.peak_ts_ns - t0) / 1e9 : p.peak_seq;
      var box = el('div', { cls: 'chart', 'data-chart': 'timeline', 'data-mm': p.mm_id, 'data-points': xs.length });
      var jump = el('button', { text: 'jump to peak' });
      box.appendChild(el('div', { cls: 'chart-title' },
        el('span', { text: 'pid ' + p.pid + (p.exe ? ' ' + p.exe : '') + ' (mm ' + p.mm_id + ')' }),
        el('span', { cls: p.peak_vma_count > 0.8 * MAX ? 'warn' : 'muted', text: 'peak ' + fmtInt(p.peak_vma_count) +
          ' VMAs at event ' + p.peak_seq + ' (' + pct(p.peak_vma_count, MAX) + ' of the limit), ' + fmtBytes(p.peak_mapped_bytes) + ' mapped' }),
        jump));
      var target = el('div');
      box.appendChild(target);
      s.appendChild(box);
      var plot = { u: null, xs: xs, peakX: peakX, mark: false };
      function make() {
        if (plot.u) plot.u.destroy();
        var linear = lin.checked;
        var top = Math.max(p.peak_vma_count, linear ? 1 : MAX) * (linear ? 1.1 : 1.6);
        var width = Math.max(300, target.clientWidth || s.clientWidth - 40);
        plot.u = new uPlot({
          width: width, height: 260,
          cursor: { sync: { key: 'tl' + tag }, drag: { x: true, y: false } },
          scales: { x: { time: false }, y: linear ? { range: [0, top] } : { distr: 3, range: [1, top] }, b: { range: function (u, lo, hi) { return [0, hi * 1.1 || 1]; } } },
          axes: [
            { label: mono ? 'seconds' : 'event seq' },
            { scale: 'y', label: 'VMAs', size: 60, values: function (u, v) { return v.map(function (x) { return x >= 1000 ? (x / 1000) + 'k' : x; }); } },
            { scale: 'b', side: 1, label: 'mapped', size: 70, grid: { show: false }, values: function (u, v) { return v.map(fmtBytes); } }
          ],
          series: [
            { label: mono ? 's' : 'seq' },
            { label: 'VMA count', scale: 'y', stroke: '#2563eb', width: 1.5, value: function (u, v) { return v == null ? '–' : fmtInt(v); } },
            { label: 'mapped bytes', scale: 'b', stroke: '#16a34a', width: 1, value: function (u, v) { return v == null ? '–' : fmtBytes(v); } }
          ],
          hooks: { draw: [function (u) {
            var ctx = u.ctx, y = u.valToPos(MAX, 'y', true);
            ctx.save();
            if (y >= u.bbox.top && y <= u.bbox.top + u.bbox.height) {
              ctx.strokeStyle = '#dc2626'; ctx.setLineDash([6, 4]); ctx.lineWidth = 1.5;
              ctx.beginPath(); ctx.moveTo(u.bbox.left, y); ctx.lineTo(u.bbox.left + u.bbox.width, y); ctx.stroke();
              ctx.setLineDash([]); ctx.fillStyle = '#dc2626'; ctx.font = (11 * devicePixelRatio) + 'px sans-serif';
              ctx.fillText('vm.max_map_count ' + MAX, u.bbox.left + 6, y - 4);
            }
            var x = u.valToPos(plot.peakX, 'x', true);
            if (x >= u.bbox.left && x <= u.bbox.left + u.bbox.width) {
              ctx.strokeStyle = plot.mark ? '#f59e0b' : 'rgba(245,158,11,0.5)'; ctx.lineWidth = plot.mark ? 3 : 1.5;
              ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
            }
            ctx.restore();
          }] }
        }, [xs, ys.map(function (v) { return linear ? v : Math.max(1, v); }), bs], target);
      }
      plot.make = make;
      make();
      jump.addEventListener('click', function () {
        var lo = xs[0], hi = xs[xs.length - 1], w = Math.max((hi - lo) * 0.05, 1e-9);
        plot.mark = true;
        plot.u.setScale('x', { min: plot.peakX - w, max: plot.peakX + w });
        box.scrollIntoView({ block: 'center' });
      });
      plots.push(plot);
    });
    apply.addEventListener('click', function () {
      var a = parseFloat(from.value), b = parseFloat(to.value);
      plots.forEach(function (p) {
        var lo = isNaN(a) ? p.xs[0] : a, hi = isNaN(b) ? p.xs[p.xs.length - 1] : b;
        if (hi > lo) p.u.setScale('x', { min: lo, max: hi });
      });
    });
    reset.addEventListener('click', function () {
      from.value = ''; to.value = '';
      plots.forEach(function (p) { p.mark = false; p.u.setScale('x', { min: p.xs[0], max: p.xs[p.xs.length - 1] }); });
    });
    lin.addEventListener('change', function () { plots.forEach(function (p) { p.make(); }); });
  }

  // ---------- final layout ----------
  var VMA_CLASSES = [
    ['code', '#7c3aed', 'file, executable'], ['file', '#a78bfa', 'file, data'], ['anon', '#2563eb', 'anonymous'],
    ['shared', '#0891b2', 'anonymous shared'], ['named', '#60a5fa', '[anon:name]'], ['heap', '#16a34a', '[heap]'],
    ['stack', '#ea580c', '[stack]'], ['guard', '#cbd5e1', 'no access (guard)'], ['special', '#64748b', 'vdso / vvar / vsyscall']];
  var CLASS_COLOR = {}; VMA_CLASSES.forEach(function (c) { CLASS_COLOR[c[0]] = c[1]; });
  function vmaClass(v) {
    var f = v.f || '', p = v.p || '----';
    if (f === '[heap]') return 'heap';
    if (f.indexOf('[stack') === 0) return 'stack';
    if (f.indexOf('[anon') === 0) return 'named';
    if (f.charAt(0) === '[') return 'special';
    if (p.slice(0, 3) === '---') return 'guard';
    if (f) return p.charAt(2) === 'x' ? 'code' : 'file';
    return p.charAt(3) === 's' ? 'shared' : 'anon';
  }
  function layout(parent, run, tag) {
    var s = section(parent, tag + 'layout', 'Address-space layout: at the end and at the peak',
      'Each address space\'s VMAs at the end of the trace and at its peak VMA count, by address. Gaps larger than everything mapped are collapsed (⫽, with their size). Scroll to zoom, drag to pan, double-click to reset. Hover a VMA for its details.');
    var legend = el('div', { cls: 'legend' });
    VMA_CLASSES.forEach(function (c) { legend.appendChild(el('span', null, el('i', { style: 'background:' + c[1] }), c[2])); });
    s.appendChild(legend);
    var counts = {}; run.layoutCounts.forEach(function (c) { counts[c.mm_id] = c.n; });
    var any = false;
    run.peaks.forEach(function (p) {
      var vmas = run.layouts[String(p.mm_id)] || [];
      if (!vmas.length) return;
      any = true;
      var box = el('div', { cls: 'chart layout' });
      box.appendChild(el('div', { cls: 'chart-title' }, el('span', { text: 'pid ' + p.pid + ' (mm ' + p.mm_id + '): ' + fmtInt(counts[p.mm_id]) + ' VMAs' +
        (counts[p.mm_id] > vmas.length ? ', first ' + fmtInt(vmas.length) + ' drawn' : '') })));
      s.appendChild(box);
      drawLayout(box, vmas, Math.max(400, box.clientWidth - 14));
      var peak = (run.peakLayouts || {})[String(p.mm_id)] || [];
      if (peak.length) {
        var pbox = el('div', { cls: 'chart layout' });
        pbox.appendChild(el('div', { cls: 'chart-title' }, el('span', { text: 'pid ' + p.pid + ' at its peak, after event ' +
          peak[0].q + ': ' + fmtInt(peak.length) + ' VMAs' + (peak.length >= 20000 ? ' (first drawn)' : '') })));
        s.appendChild(pbox);
        drawLayout(pbox, peak, Math.max(400, pbox.clientWidth - 14));
      }
    });
    if (!any) s.appendChild(el('p', { text: 'No final layout recorded.' }));
  }
  function drawLayout(box, vmas, W) {
    var H = 110, band0 = 14, band1 = 64, GAPPX = 26;
    var vs = vmas.map(function (v) { return { s: BigInt(v.s), e: BigInt(v.e), v: v }; });
    var mapped = vs.reduce(function (a, x) { return a + (x.e - x.s); }, 0n);
    var thr = mapped > 0x100000n ? mapped : 0x100000n;
    var clusters = [];
    vs.forEach(function (x) {
      var c = clusters[clusters.length - 1];
      if (c && x.s - c.e <= thr) { c.items.push(x); if (x.e > c.e) c.e = x.e; }
      else clusters.push({ s: x.s, e: x.e, items: [x] });
    });
    var weights = clusters.map(function (c) { return 1 + Math.log2(1 + Number(c.e - c.s) / 4096); });
    var wsum = weights.reduce(function (a, b) { return a + b; }, 0);
    var avail = W - GAPPX * (clusters.length - 1), x = 0;
    clusters.forEach(function (c, i) { c.x = x; c.w = avail * weights[i] / wsum; x += c.w + GAPPX; });
    function vx(c, a) { return c.x + Number(a - c.s) / Number(c.e - c.s) * c.w; }
    function addrAt(v) {
      for (var i = 0; i < clusters.length; i++) {
        var c = clusters[i];
        if (v >= c.x && v <= c.x + c.w) return c.s + BigInt(Math.floor((v - c.x) / c.w * Number(c.e - c.s)));
      }
      return null;
    }
    var view = [0, W];
    var svg = sv('svg', { width: W, height: H, 'data-chart': 'layout', 'data-vmas': vs.length, 'data-clusters': clusters.length });
    box.appendChild(svg);
    var ctl = el('div', { cls: 'controls' });
    var zin = el('button', { text: 'zoom in' }), zout = el('button', { text: 'zoom out' }), zreset = el('button', { text: 'reset' });
    ctl.appendChild(zin); ctl.appendChild(zout); ctl.appendChild(zreset);
    box.appendChild(ctl);
    function sx(v) { return (v - view[0]) * W / (view[1] - view[0]); }
    function render() {
      while (svg.firstChild) svg.removeChild(svg.firstChild);
      var drawn = 0;
      clusters.forEach(function (c, ci) {
        c.items.forEach(function (it) {
          var a = sx(vx(c, it.s)), b = sx(vx(c, it.e));
          if (b < 0 || a > W) return;
          var r = sv('rect', { x: a, y: band0, width: Math.max(b - a, 0.7), height: band1 - band0,
            fill: CLASS_COLOR[vmaClass(it.v)], stroke: b - a > 4 ? '#fff' : 'none', 'stroke-width': 0.6, 'data-start': it.v.s });
          var t = sv('title', {});
          t.textContent = it.v.s + '-' + it.v.e + ' ' + it.v.p + ' ' + fmtBytes(Number(it.e - it.s)) +
            ' pgoff ' + it.v.o + (it.v.f ? ' ' + it.v.f : '');
          r.appendChild(t); svg.appendChild(r); drawn++;
        });
        if (ci < clusters.length - 1) {
          var gx = sx(c.x + c.w), gw = GAPPX * W / (view[1] - view[0]);
          if (gx + gw >= 0 && gx <= W) {
            var mid = gx + gw / 2;
            svg.appendChild(sv('path', { d: 'M' + (mid - 5) + ' ' + (band1 + 2) + ' l6 -' + (band1 - band0 + 4) + ' M' + (mid) + ' ' + (band1 + 2) + ' l6 -' + (band1 - band0 + 4),
              stroke: '#94a3b8', 'stroke-width': 1.5, fill: 'none' }));
            var gap = sv('text', { x: mid, y: band0 - 3, 'text-anchor': 'middle', 'font-size': 10, fill: '#64748b' });
            gap.textContent = fmtBytes(Number(clusters[ci + 1].s - c.e)); svg.appendChild(gap);
          }
        }
      });
      // address ticks
      for (var k = 0; k <= 4; k++) {
        var px = 30 + k * (W - 60) / 4, a = addrAt(view[0] + px * (view[1] - view[0]) / W);
        if (a == null) continue;
        svg.appendChild(sv('line', { x1: px, x2: px, y1: band1 + 2, y2: band1 + 8, stroke: '#94a3b8' }));
        var lab = sv('text', { x: px, y: band1 + 22, 'text-anchor': 'middle', 'font-size': 10, fill: '#334155', 'font-family': 'monospace' });
        lab.textContent = '0x' + a.toString(16); svg.appendChild(lab);
      }
      svg.setAttribute('data-drawn', drawn);
    }
    function zoom(f, at) {
      var span = view[1] - view[0], c = view[0] + span * (at == null ? 0.5 : at / W);
      var ns = Math.min(W, Math.max(span / f, 2));
      view = [Math.max(0, c - ns * (c - view[0]) / span), 0];
      view[1] = view[0] + ns;
      if (view[1] > W) { view[1] = W; view[0] = W - ns; }
      render();
    }
    svg.addEventListener('wheel', function (e) {
      e.preventDefault();
      var r = svg.getBoundingClientRect();
      zoom(e.deltaY < 0 ? 1.4 : 1 / 1.4, e.clientX - r.left);
    }, { passive: false });
    var drag = null;
    svg.addEventListener('mousedown', function (e) { drag = { x: e.clientX, v: view.slice() }; });
    window.addEventListener('mouseup', function () { drag = null; });
    svg.addEventListener('mousemove', function (e) {
      if (!drag) return;
      var span = drag.v[1] - drag.v[0], d = (e.clientX - drag.x) * span / W;
      var a = Math.min(Math.max(0, drag.v[0] - d), W - span);
      view = [a, a + span]; render();
    });
    svg.addEventListener('dblclick', function () { view = [0, W]; render(); });
    zin.addEventListener('click', function () { zoom(2); });
    zout.addEventListener('click', function () { zoom(0.5); });
    zreset.addEventListener('click', function () { view = [0, W]; render(); });
    render();
  }

  function latency(parent, run, tag) {
    var s = section(parent, tag + 'latency', 'Latency',
      'Time spent in the kernel per syscall (from the trace), and per merge/split case. The full HdrHistograms are stored in the latency table (column histogram) so runs can be merged.');
    if (!run.latency.length) { s.appendChild(el('p', { text: 'The trace has no durations.' })); return; }
    ['syscall', 'case', 'engine'].forEach(function (scope) {
      var rows = run.latency.filter(function (l) { return l.scope === scope; });
      if (!rows.length) return;
      var maxP99 = Math.max.apply(null, rows.map(function (l) { return l.p99_ns || 0; }).concat([1]));
      s.appendChild(el('h3', { text: 'per ' + scope }));
      s.appendChild(table(['name', 'count', 'p50', 'p90', 'p99', 'p99.9', 'max', 'p99 (relative)'], rows.map(function (l) {
        var bar = el('div', { cls: 'barfill', style: 'width:' + Math.max(1, 100 * (l.p99_ns || 0) / maxP99).toFixed(1) + '%' });
        return [l.name, fmtInt(l.count), fmtNs(l.p50_ns), fmtNs(l.p90_ns), fmtNs(l.p99_ns), fmtNs(l.p999_ns), fmtNs(l.max_ns), bar];
      }), [false, true, true, true, true, true, true, false]));
    });
  }

  function callSites(parent, run, tag) {
    var s = section(parent, tag + 'sites', 'Call sites behind splits');
    if (!run.splitSites.length) {
      s.appendChild(el('p', { cls: 'muted', text: 'This trace has no call stacks, so splits cannot be attributed to call sites.' }));
      return;
    }
    s.appendChild(table(['call site', 'splits'], run.splitSites.map(function (x) { return [x.site, x.n]; }), [false, true]));
  }

  function divergences(parent, run, tag) {
    var s = section(parent, tag + 'divergences', 'Divergences',
      'Where the trace and the model disagreed and the replay reconciled (the trace wins). Many divergences make the numbers above less trustworthy.');
    if (!run.divergenceCauses.length) { s.appendChild(el('p', { cls: 'ok', text: 'None: the model agreed with the trace throughout.' })); return; }
    s.appendChild(el('div', { cls: 'chart' }, barChart(run.divergenceCauses.map(function (d) {
      return { label: d.cause, value: d.n, color: '#f59e0b' }; }), 'divergence-causes')));
    s.appendChild(el('h3', { text: 'First ' + run.divergences.length }));
    s.appendChild(el('div', { cls: 'scroll' }, table(['seq', 'pid', 'cause', 'detail', 'trace line'], run.divergences.map(function (d) {
      return [d.seq, d.pid, d.cause, d.detail, d.source ? d.source + ':' + d.line : '']; }), [true, true, false, false, false])));
  }

  function readers(parent, run, tag) {
    var s = section(parent, tag + 'readers', 'Concurrent /proc/PID/maps readers',
      'Per process, how many of its operations could have shown a lockless /proc/PID/maps reader (Linux 6.17+) ' +
      'each observable, had one raced with them: the exhaustive check of `vmareplay readers`, applied to the ' +
      'operations replayed. A model of the reader, not a measurement of a race (README: Lockless maps readers).');
    var rows = run.readers || [];
    if (!rows.length) { s.appendChild(el('p', { text: 'No operation in this run touches a case the model covers.' })); return; }
    s.appendChild(table(['process', 'observable', 'operations', ''], rows.map(function (r) {
      return [r.process, r.observable, fmtInt(r.operations), r.text]; }), [false, false, true, false]));
  }

  function renderRun(parent, run, tag) {
    summary(parent, run, tag);
    cases(parent, run, tag);
    refusals(parent, run, tag);
    timelines(parent, run, tag);
    layout(parent, run, tag);
    latency(parent, run, tag);
    callSites(parent, run, tag);
    divergences(parent, run, tag);
    readers(parent, run, tag);
  }

  // ---------- diff ----------
  var GOOD_UP = { new_left: 1, new_right: 1, new_both: 1, existing_left_full: 1, existing_left_partial: 1,
    existing_right_full: 1, existing_right_partial: 1, existing_both: 1, expand: 1 };
  var BAD_UP = { new_none: 1, split: 1, refused: 1 };
  function deltaCells(a, b, kind) {
    var d = b - a, cls = 'num';
    if (d !== 0) {
      var worse = BAD_UP[kind] || kind === '*bad' ? d > 0 : GOOD_UP[kind] ? d < 0 : null;
      cls += worse == null ? '' : worse ? ' up' : ' down';
    }
    return [{ text: (d > 0 ? '+' : '') + fmtInt(d), cls: cls }, { text: a ? (d > 0 ? '+' : '') + (100 * d / a).toFixed(1) + '%' : (b ? 'new' : ''), cls: cls }];
  }
  function diff(parent, A, B) {
    var ra = A.run[0], rb = B.run[0];
    var s = section(parent, 'diff', 'Run ' + ra.run_id + ' → run ' + rb.run_id + ': what changed',
      'Deltas of run ' + rb.run_id + ' against run ' + ra.run_id + '. Red: more splits, refusals or unmerged mappings, fewer merges; green: the opposite.');
    s.setAttribute('data-chart', 'diff');
    var rows = [['events', ra.events, rb.events, ''], ['engine events', ra.vma_events, rb.vma_events, ''],
      ['divergences', ra.divergences, rb.divergences, '*bad'], ['peak VMA count', A.mms[0].max_peak || 0, B.mms[0].max_peak || 0, '*bad']];
    s.appendChild(table(['', 'run ' + ra.run_id, 'run ' + rb.run_id, 'Δ', 'Δ%'], rows.map(function (r) {
      return [r[0], fmtInt(r[1]), fmtInt(r[2])].concat(deltaCells(r[1], r[2], r[3])); }), [false, true, true, true, true]));
    var ma = caseMap(A), mb = caseMap(B);
    s.appendChild(el('h3', { text: 'Per case' }));
    var t = table(['kind', 'run ' + ra.run_id, 'run ' + rb.run_id, 'Δ', 'Δ%'], RUNS[0].kinds.map(function (k) {
      return [k, fmtInt(ma[k]), fmtInt(mb[k])].concat(deltaCells(ma[k], mb[k], k)); }), [false, true, true, true, true]);
    t.setAttribute('data-table', 'case-delta');
    s.appendChild(t);
    var qa = reasonMap(A), qb = reasonMap(B), reasons = Object.keys(qa);
    Object.keys(qb).forEach(function (r) { if (reasons.indexOf(r) < 0) reasons.push(r); });
    s.appendChild(el('h3', { text: 'Per refusal reason' }));
    if (!reasons.length) s.appendChild(el('p', { text: 'No refusals in either run.' }));
    else {
      var t2 = table(['reason', 'run ' + ra.run_id, 'run ' + rb.run_id, 'Δ', 'Δ%'], reasons.sort().map(function (r) {
        return [r, fmtInt(qa[r] || 0), fmtInt(qb[r] || 0)].concat(deltaCells(qa[r] || 0, qb[r] || 0, 'refused')); }), [false, true, true, true, true]);
      t2.setAttribute('data-table', 'reason-delta');
      s.appendChild(t2);
    }
  }

  // ---------- main ----------
  try {
    root.innerHTML = '';
    var titles = [['summary', 'Summary'], ['cases', 'Cases'], ['refusals', 'Refusals'], ['timeline', 'Timeline'],
      ['layout', 'Layout'], ['latency', 'Latency'], ['sites', 'Call sites'], ['divergences', 'Divergences'],
      ['readers', 'Maps readers']];
    if (RUNS.length === 1) {
      document.title = 'vmareplay report: run ' + RUNS[0].run[0].run_id;
      titles.forEach(function (t) { nav.appendChild(el('a', { href: '#r0-' + t[0], text: t[1] })); });
      renderRun(root, RUNS[0], 'r0-');
    } else {
      document.title = 'vmareplay diff: run ' + RUNS[0].run[0].run_id + ' vs run ' + RUNS[1].run[0].run_id;
      nav.appendChild(el('a', { href: '#diff', text: 'Differences' }));
      titles.forEach(function (t) { nav.appendChild(el('a', { href: '#r0-' + t[0], text: t[1] })); });
      diff(root, RUNS[0], RUNS[1]);
      var cols = el('div', { cls: 'cols' }), a = el('div'), b = el('div');
      cols.appendChild(a); cols.appendChild(b); root.appendChild(cols);
      renderRun(a, RUNS[0], 'r0-');
      renderRun(b, RUNS[1], 'r1-');
    }
    document.body.setAttribute('data-rendered', 'ok');
  } catch (e) {
    window.__errors.push('render failed: ' + (e && e.stack || e));
    var pre = document.getElementById('js-errors'); pre.hidden = false; pre.textContent = window.__errors.join('\n');
    document.body.setAttribute('data-rendered', 'failed');
    if (window.console) console.error('render failed', e);
  }
})();
