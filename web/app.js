// SPDX-License-Identifier: GPL-2.0
// nsmon web: the lab drawn from /api/v1/stats (read every refresh interval,
// rates from two successive reads), the events from /api/v1/events
// (Server-Sent Events), and a ping's ladder from a file `nsmon explain
// --json` wrote. Plain JavaScript, no library, nothing fetched from
// elsewhere; names from the lab only ever go into the page as text.
'use strict';

(function () {
  const SVG = 'http://www.w3.org/2000/svg';
  const $ = (sel) => document.querySelector(sel);

  // ---- what went wrong in the page itself: shown, and kept in the DOM for tests ----
  const pageErrors = [];
  function pageError(text) {
    pageErrors.push(text);
    const el = $('#page-errors');
    el.hidden = false;
    el.textContent = 'page errors:\n' + pageErrors.join('\n');
    document.body.dataset.errors = String(pageErrors.length);
  }
  window.addEventListener('error', (e) => {
    // Capturing: a script, style or image that failed to load reports here too.
    const t = e.target;
    if (t && t !== window && (t.src || t.href)) pageError('cannot load ' + (t.src || t.href));
    else pageError(String(e.message || e.type) + (e.filename ? ' at ' + e.filename + ':' + e.lineno : ''));
  }, true);
  window.addEventListener('unhandledrejection', (e) => pageError('unhandled: ' + e.reason));
  document.addEventListener('securitypolicyviolation',
    (e) => pageError('Content-Security-Policy refused ' + e.blockedURI + ' (' + e.violatedDirective + ')'));

  // ---- small helpers ----
  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function sv(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function fmtRate(r) {
    if (r === null || r === undefined || !isFinite(r)) return '-';
    if (r >= 1e6) return (r / 1e6).toFixed(1) + 'M';
    if (r >= 1e4) return (r / 1e3).toFixed(0) + 'k';
    if (r >= 100) return r.toFixed(0);
    return r.toFixed(1);
  }
  function fmtCount(n) { return n === undefined || n === null ? '-' : String(n); }
  // Stroke width by packets/s: visible at 1/s, not a blob at 1M/s.
  function weight(r) { return r > 0 ? 2 + 2.2 * Math.log10(1 + r) : 1.5; }

  // ---- settings: scheme, large type, refresh ----
  const root = document.documentElement;
  let ladder = null;   // the ladder shown: {steps, source}
  const stored = (k) => { try { return localStorage.getItem('nsmon.' + k); } catch (e) { return null; } };
  const store = (k, v) => { try { localStorage.setItem('nsmon.' + k, v); } catch (e) { /* private mode */ } };
  function setScheme(s) {
    root.dataset.scheme = s;
    $('#scheme').textContent = s === 'dark' ? 'Light' : 'Dark';
    store('scheme', s);
  }
  function setLarge(on) {
    root.classList.toggle('large', on);
    $('#large').setAttribute('aria-pressed', String(on));
    store('large', on ? '1' : '0');
    if (ladder) drawLadder(ladder.steps, ladder.source);
  }
  setScheme(stored('scheme') || (window.matchMedia && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
  setLarge(stored('large') === '1');
  $('#scheme').addEventListener('click', () => setScheme(root.dataset.scheme === 'dark' ? 'light' : 'dark'));
  $('#large').addEventListener('click', () => setLarge(!root.classList.contains('large')));

  const state = {
    interval: 1000,
    doc: null,
    readUs: 0,
    hist: new Map(),        // key -> the last two reads of a counted thing: {prevUs, prev, us, cur}
    selected: null,         // {kind: 'ns'|'port'|'bridge', bridge, name}
    layoutKey: '',
    nodes: new Map(),       // key -> {g, ...} of the drawn topology
    view: null,             // the topology's viewBox [x, y, w, h]; full: state.full
    full: null,
    drops: new Map(),       // "netns/ifname" -> Map(reason -> count), from drop events
  };
  $('#interval').addEventListener('change', (e) => { state.interval = Number(e.target.value); });

  // ---- reading /api/v1/stats ----
  const status = $('#status');
  function setStatus(text, bad) {
    status.textContent = text;
    status.classList.toggle('bad', !!bad);
  }

  async function refresh() {
    const started = performance.now();
    let resp = null;
    let doc = null;
    try {
      resp = await fetch('/api/v1/stats', { cache: 'no-store' });
      doc = resp.ok ? await resp.json() : null;
    } catch (e) {
      setStatus('nsmon web does not answer (' + e.message + '); trying again', true);
      resp = null;
    }
    try {
      if (resp && !resp.ok) {
        let why = resp.status + ' ' + resp.statusText;
        try { why = (await resp.json()).error || why; } catch (e) { /* not JSON */ }
        setStatus(why, true);
        document.body.dataset.state = 'no-lab';
      } else if (doc) {
        const us = Number(resp.headers.get('Nsmon-Read-Time-Us')) || started * 1000;
        const drawStart = performance.now();
        update(doc, us);
        const now = performance.now();
        document.body.dataset.state = 'ok';
        document.body.dataset.refreshMs = (now - started).toFixed(1);
        document.body.dataset.drawMs = (now - drawStart).toFixed(1);
        document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes || 0) + 1);
        const nns = doc.namespaces.length;
        setStatus(doc.bridges.map((b) => b.name).join(', ') + ': ' + nns + ' namespace' + (nns === 1 ? '' : 's') +
          ' · read ' + new Date().toLocaleTimeString() + ' · refresh took ' + (now - started).toFixed(0) +
          ' ms (every ' + state.interval / 1000 + ' s)');
      }
    } catch (e) {
      pageError('drawing the lab: ' + (e.stack || e));
    }
    setTimeout(refresh, Math.max(50, state.interval - (performance.now() - started)));
  }

  // Every counted thing's last two reads, so that anything selected has its rates at once.
  function remember(key, obj, us) {
    const h = state.hist.get(key);
    if (!h) state.hist.set(key, { prevUs: 0, prev: null, us: us, cur: obj });
    else if (us > h.us) Object.assign(h, { prevUs: h.us, prev: h.cur, us: us, cur: obj });
  }
  // Per second between the last two reads of @key, of what @get takes from one; null: one read yet.
  function perSecond(key, get) {
    const h = state.hist.get(key);
    if (!h || !h.prev || !(h.us > h.prevUs)) return null;
    return Math.max(0, get(h.cur) - get(h.prev)) / ((h.us - h.prevUs) / 1e6);
  }

  function portKey(b, p) { return 'port/' + b + '/' + p; }
  function localKey(b) { return 'local/' + b; }
  function ifaceKey(n, i) { return 'ns/' + n + '/' + i; }
  function pairKey(b, from, to) { return 'pair/' + b + '/' + from + '/' + to; }

  function update(doc, us) {
    state.doc = doc;
    state.readUs = us;
    const title = doc.bridges.map((b) => b.name).join(', ');
    $('#lab-title').textContent = title ? '· ' + title : '';
    for (const b of doc.bridges) {
      for (const p of b.ports) remember(portKey(b.name, p.name), p, us);
      remember(localKey(b.name), b.local, us);
      for (const m of b.matrix || []) remember(pairKey(b.name, m.from, m.to), m, us);
    }
    for (const ns of doc.namespaces) for (const i of ns.interfaces) remember(ifaceKey(ns.name, i.name), i, us);
    // What this read did not see is gone.
    for (const [k, h] of state.hist) if (h.us < us) state.hist.delete(k);
    const key = layoutKeyOf(doc);
    if (key !== state.layoutKey) {
      const t0 = performance.now();
      layoutTopology(doc);
      state.layoutKey = key;
      document.body.dataset.layoutMs = (performance.now() - t0).toFixed(1);
    }
    // The first namespace's counters, until someone picks another.
    if (!state.selected && doc.namespaces.length) {
      const b = doc.bridges.find((x) => x.ports.some((p) => p.peer_namespace === doc.namespaces[0].name));
      if (b) state.selected = { kind: 'ns', bridge: b.name, name: doc.namespaces[0].name };
    }
    paintTopology(doc);
    drawMatrix(doc);
    drawDetails();
  }

  // ---- the topology ----
  function layoutKeyOf(doc) {
    return doc.bridges.map((b) => b.name + ':' + b.ports.map((p) => p.name + '>' + p.peer_namespace).join(',')).join('|');
  }

  // Sizes by how many namespaces share a bridge: large boxes for a lesson, small ones for 250.
  function sizes(n) {
    if (n <= 8) return { w: 150, h: 56, font: 18, portW: 26, gap: 24 };
    if (n <= 32) return { w: 116, h: 42, font: 14, portW: 18, gap: 16 };
    return { w: 84, h: 28, font: 11, portW: 10, gap: 8 };
  }

  const topo = $('#topology');

  // The bridge in the middle, its ports on its rim, the namespaces around it
  // on as many rings as keep their boxes apart, each straight out from its
  // port; bridges side by side.
  function layoutTopology(doc) {
    topo.textContent = '';
    state.nodes.clear();
    const wires = sv('g', { class: 'wires' });
    const boxes = sv('g', { class: 'boxes' });
    topo.append(wires, boxes);
    let x0 = 0;
    let maxN = 0;
    for (const b of doc.bridges) {
      const n = b.ports.length;
      maxN = Math.max(maxN, n);
      const s = sizes(n);
      const pitch = s.w + s.gap;
      const r0 = Math.max(90, (n * (s.portW + 8)) / (2 * Math.PI));
      const ringGap = s.h + 36;
      let rings = 1;
      while (rings < 8 && (pitch * n) / rings / (2 * Math.PI) > r0 + 120 + (rings - 1) * ringGap) rings++;
      // Room on a few long wires for their labels; many short ones carry none.
      const r1 = Math.max(n <= 12 ? r0 + 280 : r0 + 120, (pitch * n) / rings / (2 * Math.PI));
      const outer = r1 + (rings - 1) * ringGap + s.w / 2 + 40;
      const cx = x0 + outer;
      const cy = outer;
      // The bridge first, so that its ports and their names lie on top of it.
      const br = node('bridge', { bridge: b.name, name: b.name }, 'bridge ' + b.name);
      br.append(sv('circle', { class: 'shape', cx: cx, cy: cy, r: r0 }));
      // A big bridge (many ports) gets its name and its device drawn big too.
      const k = Math.max(1, r0 / 150);
      const bt = sv('text', { x: cx, y: cy - 22 * k, 'text-anchor': 'middle' }, b.name);
      bt.style.fontSize = 'calc(' + (Math.min(22, s.font + 4) * k).toFixed(0) + 'px * var(--scale))';
      br.append(bt);
      boxes.append(br);
      for (let i = 0; i < n; i++) {
        const p = b.ports[i];
        const a = Math.PI + (2 * Math.PI * i) / n;
        const ca = Math.cos(a);
        const sa = Math.sin(a);
        const r = r1 + (n <= 12 ? 0 : i % rings) * ringGap;
        const px = cx + r0 * ca;
        const py = cy + r0 * sa;
        const nx = cx + r * ca;
        const ny = cy + r * sa;
        // Where the wire meets the box's edge.
        const edge = r - Math.min(Math.abs(ca) > 1e-6 ? s.w / 2 / Math.abs(ca) : Infinity,
          Math.abs(sa) > 1e-6 ? s.h / 2 / Math.abs(sa) : Infinity);
        const nsName = p.peer_namespace === null ? '(' + p.peer + ')' : p.peer_namespace;
        // The wire: two lines, out of the namespace and into it, side by side.
        const ox = -sa * 3.5;
        const oy = ca * 3.5;
        const wire = sv('g', { class: 'wire', 'data-bridge': b.name, 'data-port': p.name,
          'data-netns': nsName, 'data-iface': p.peer, id: 'wire-' + b.name + '-' + p.name });
        const ex = cx + edge * ca;
        const ey = cy + edge * sa;
        const lineOut = sv('line', { class: 'out idle', x1: ex + ox, y1: ey + oy, x2: px + ox, y2: py + oy, 'stroke-width': 1.5 });
        const lineIn = sv('line', { class: 'in idle', x1: px - ox, y1: py - oy, x2: ex - ox, y2: ey - oy, 'stroke-width': 1.5 });
        // The rates halfway along the wire, clear of the port's name.
        const mid = (r0 + 70 + edge) / 2;
        const mx = cx + mid * ca;
        const my = cy + mid * sa;
        const side = Math.abs(sa) < 0.5;
        const lblOut = sv('text', { class: 'out', x: mx + (side ? 0 : 8), y: my + (side ? -10 : 0),
          'text-anchor': side ? 'middle' : 'start' }, '');
        const lblIn = sv('text', { class: 'in', x: mx - (side ? 0 : 8), y: my + (side ? 22 : 0),
          'text-anchor': side ? 'middle' : 'end' }, '');
        const wireTitle = sv('title', {}, '');
        wire.append(wireTitle, lineOut, lineIn, lblOut, lblIn);
        wires.append(wire);
        // The port on the bridge's rim, its name beside it.
        const port = node('port', { bridge: b.name, name: p.name }, 'port ' + p.name + ' of ' + b.name);
        port.append(sv('rect', { class: 'shape', x: px - s.portW / 2, y: py - s.portW / 2, width: s.portW, height: s.portW, rx: 4 }));
        if (n <= 32) {
          // Outside the bridge's circle, above a level wire, beside a steep one.
          port.append(sv('text', { class: 'small muted', x: px + ca * 48 + (side ? 0 : (ca >= 0 ? 1 : -1) * 8),
            y: py + sa * 30 + (side ? -12 : 4), 'text-anchor': side ? 'middle' : ca >= 0 ? 'start' : 'end' }, p.name));
        }
        boxes.append(port);
        // The namespace.
        const ns = node('ns', { bridge: b.name, name: nsName, iface: p.peer }, 'namespace ' + nsName);
        ns.append(sv('rect', { class: 'shape', x: nx - s.w / 2, y: ny - s.h / 2, width: s.w, height: s.h, rx: 8 }));
        const t = sv('text', { x: nx, y: ny + s.font * 0.35, 'text-anchor': 'middle' }, nsName);
        t.style.fontSize = 'calc(' + s.font + 'px * var(--scale))';
        ns.append(t);
        boxes.append(ns);
        const arrows = arrowsFor(ca, sa);
        state.nodes.set(portKey(b.name, p.name), { wire, lineOut, lineIn, lblOut, lblIn, wireTitle, port, ns, p, arrows });
      }
      // The bridge's own device, the host's side of it, in the middle.
      const local = node('local', { bridge: b.name, name: b.name }, 'the bridge device ' + b.name + ' (its host side)');
      local.append(sv('rect', { class: 'shape', x: cx - 62 * k, y: cy - 8 * k, width: 124 * k, height: 44 * k, rx: 6 }));
      const lt = sv('text', { class: 'small', x: cx, y: cy + 8 * k, 'text-anchor': 'middle' }, 'host (local)');
      const localRates = sv('text', { class: 'small', x: cx, y: cy + 26 * k, 'text-anchor': 'middle' }, '');
      for (const t of [lt, localRates]) t.style.fontSize = (11 * k).toFixed(0) + 'px';
      local.append(lt, localRates);
      boxes.append(local);
      state.nodes.set(localKey(b.name), { local, localRates, br });
      x0 += 2 * outer;
    }
    topo.classList.toggle('many', maxN > 24);
    // Fit what was drawn, not the rings' square: two namespaces make a wide, flat lab.
    let box = { x: 0, y: 0, width: Math.max(x0, 200), height: Math.max(x0, 200) };
    try {
      const bb = topo.getBBox();
      if (bb.width > 0) box = bb;
    } catch (e) { /* not rendered: the square will do */ }
    state.full = [box.x - 30, box.y - 30, box.width + 60, box.height + 60];
    state.view = state.full.slice();
    // As tall as the lab is for its width, up to most of the window.
    topo.style.aspectRatio = state.full[2].toFixed(0) + ' / ' + state.full[3].toFixed(0);
    setView();
  }

  // Arrows for out of the namespace (towards the bridge) and into it, along a wire at (ca, sa) from the middle.
  function arrowsFor(ca, sa) {
    const glyphs = ['\u2192', '\u2198', '\u2193', '\u2199', '\u2190', '\u2196', '\u2191', '\u2197'];
    const pick = (dx, dy) => glyphs[(Math.round(Math.atan2(dy, dx) / (Math.PI / 4)) + 8) % 8];
    return { out: pick(-ca, -sa), in: pick(ca, sa) };
  }

  // A focusable, clickable box: Tab reaches it, Enter or Space selects it.
  function node(kind, sel, label) {
    const g = sv('g', { class: 'node ' + kind, tabindex: '0', role: 'button', 'aria-label': label,
      'data-kind': kind, 'data-bridge': sel.bridge, 'data-name': sel.name });
    g.append(sv('title', {}, label));
    const pick = () => select({ kind: kind === 'local' ? 'bridge' : kind, bridge: sel.bridge, name: sel.name, iface: sel.iface });
    g.addEventListener('click', pick);
    g.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); pick(); }
    });
    return g;
  }

  function paintTopology(doc) {
    for (const b of doc.bridges) {
      for (const p of b.ports) {
        const n = state.nodes.get(portKey(b.name, p.name));
        if (!n) continue;
        const k = portKey(b.name, p.name);
        // Out of the namespace is what the port received; into it what the port sent.
        const out = perSecond(k, (o) => o.rx.packets);
        const inn = perSecond(k, (o) => o.tx.packets);
        paintLine(n.lineOut, 'out', out);
        paintLine(n.lineIn, 'in', inn);
        n.lblOut.textContent = n.arrows.out + ' ' + fmtRate(out) + '/s';
        n.lblIn.textContent = n.arrows.in + ' ' + fmtRate(inn) + '/s';
        n.wire.setAttribute('data-out-pps', out === null ? '' : out.toFixed(2));
        n.wire.setAttribute('data-in-pps', inn === null ? '' : inn.toFixed(2));
        n.wireTitle.textContent = p.peer + ' (' + (p.peer_namespace || '?') + ') \u2194 ' + p.name + ': ' +
          fmtRate(out) + ' packets/s out of the namespace, ' + fmtRate(inn) + ' into it';
        n.ns.setAttribute('aria-label', 'namespace ' + (p.peer_namespace || p.peer) + ': ' + fmtRate(out) +
          ' packets/s out, ' + fmtRate(inn) + ' in');
        n.port.classList.toggle('flooded', perSecond(k, (o) => o.flooded.tx) > 0);
      }
      const l = state.nodes.get(localKey(b.name));
      const k = localKey(b.name);
      if (l) {
        l.localRates.textContent = 'rx ' + fmtRate(perSecond(k, (o) => o.rx.packets)) + '/s  tx ' +
          fmtRate(perSecond(k, (o) => o.tx.packets)) + '/s';
        l.local.classList.toggle('flooded', perSecond(k, (o) => o.flooded.rx) > 0);
      }
    }
    for (const g of topo.querySelectorAll('.node')) {
      const s = state.selected;
      g.classList.toggle('selected', !!s && g.dataset.bridge === s.bridge &&
        g.dataset.name === s.name && (g.dataset.kind === s.kind || (s.kind === 'bridge' && g.dataset.kind === 'local')));
    }
  }

  function paintLine(line, dir, r) {
    const moving = r > 0;
    line.setAttribute('class', dir + (moving ? ' flowing' : ' idle'));
    line.setAttribute('stroke-width', weight(r).toFixed(1));
  }

  // Zoom and pan by the viewBox: the boxes stay sharp at any size.
  function setView() {
    const v = state.view;
    topo.setAttribute('viewBox', v.map((x) => x.toFixed(1)).join(' '));
  }
  function zoom(f) {
    if (!state.view) return;
    const v = state.view;
    const cx = v[0] + v[2] / 2;
    const cy = v[1] + v[3] / 2;
    const w = Math.min(state.full[2] * 2, Math.max(100, v[2] * f));
    const h = (w * v[3]) / v[2];
    state.view = [cx - w / 2, cy - h / 2, w, h];
    setView();
  }
  function pan(dx, dy) {
    if (!state.view) return;
    state.view[0] += dx * state.view[2] * 0.15;
    state.view[1] += dy * state.view[3] * 0.15;
    setView();
  }
  function fit() {
    if (!state.full) return;
    state.view = state.full.slice();
    setView();
  }
  $('#zoom-in').addEventListener('click', () => zoom(0.7));
  $('#zoom-out').addEventListener('click', () => zoom(1 / 0.7));
  $('#zoom-reset').addEventListener('click', fit);
  topo.addEventListener('wheel', (e) => { e.preventDefault(); zoom(e.deltaY < 0 ? 0.85 : 1 / 0.85); }, { passive: false });

  // ---- the counters of what is selected ----
  const CLASSES = [
    ['packets', 'packets'], ['bytes', 'bytes'], ['arp_request', 'ARP request'], ['arp_reply', 'ARP reply'],
    ['icmp_echo_request', 'ICMP echo request'], ['icmp_echo_reply', 'ICMP echo reply'],
    ['ipv4', 'IPv4'], ['ipv6', 'IPv6'], ['tcp', 'TCP'], ['udp', 'UDP'], ['icmp', 'ICMP'],
    ['broadcast', 'broadcast'], ['multicast', 'multicast'], ['unicast', 'unicast'],
    ['other', 'other L3'], ['truncated', 'truncated'],
  ];

  function select(sel) {
    state.selected = sel;
    if (state.doc) paintTopology(state.doc);
    drawDetails();
  }

  function countersTable(caption, key, rx, tx) {
    const t = el('table');
    t.append(el('caption', {}, caption));
    const head = el('tr');
    for (const h of ['class', 'rx', 'rx/s', 'tx', 'tx/s']) head.append(el('th', { scope: 'col' }, h));
    t.append(el('thead'));
    t.tHead.append(head);
    const body = el('tbody');
    for (const [k, name] of CLASSES) {
      const tr = el('tr');
      tr.append(el('th', { scope: 'row' }, name));
      for (const [dir, obj] of [['rx', rx], ['tx', tx]]) {
        tr.append(el('td', {}, fmtCount(obj[k])));
        tr.append(el('td', {}, fmtRate(perSecond(key, (o) => o[dir][k]))));
      }
      body.append(tr);
    }
    t.append(body);
    return t;
  }

  function forwardingTable(place, isPort) {
    const t = el('table');
    t.append(el('caption', {}, 'what the bridge did with its frames'));
    const head = el('tr');
    for (const h of ['', 'rx', 'tx']) head.append(el('th', { scope: 'col' }, h));
    t.append(el('thead'));
    t.tHead.append(head);
    const body = el('tbody');
    const row = (name, a, b) => {
      const tr = el('tr');
      tr.append(el('th', { scope: 'row' }, name), el('td', {}, fmtCount(a)), el('td', {}, fmtCount(b)));
      body.append(tr);
    };
    row('forwarded', place.forwarded.rx, place.forwarded.tx);
    row('flooded', place.flooded.rx, place.flooded.tx);
    if (isPort) row('local (to the host)', place.local, '');
    row('dropped', place.dropped, '');
    t.append(body);
    return t;
  }

  function dropsList(netns, ifname) {
    const m = state.drops.get(netns + '/' + ifname);
    const d = el('div');
    d.append(el('h3', {}, 'drops the kernel reported (drop events since the page opened)'));
    if (!m || !m.size) {
      d.append(el('p', { class: 'hint' }, 'none seen'));
      return d;
    }
    const dl = el('dl');
    for (const [reason, n] of [...m.entries()].sort((a, b) => b[1] - a[1])) dl.append(el('dt', {}, reason), el('dd', {}, String(n)));
    d.append(dl);
    d.append(el('p', { class: 'hint' }, 'drop events are streamed at up to 100 per second per CPU: a flood shows fewer'));
    return d;
  }

  function drawDetails() {
    const box = $('#details');
    const sel = state.selected;
    const doc = state.doc;
    if (!sel || !doc) {
      box.textContent = '';
      $('#details-hint').hidden = false;
      return;
    }
    const b = doc.bridges.find((x) => x.name === sel.bridge);
    box.textContent = '';
    $('#details-hint').hidden = true;
    if (!b) {
      box.append(el('p', {}, sel.bridge + ' is gone'));
      return;
    }
    if (sel.kind === 'ns') {
      const ns = doc.namespaces.find((x) => x.name === sel.name);
      box.append(el('h3', {}, 'namespace ' + sel.name));
      if (!ns) {
        box.append(el('p', {}, 'not a named namespace, or gone'));
        return;
      }
      const dl = el('dl');
      dl.append(el('dt', {}, 'inode'), el('dd', {}, String(ns.inode)), el('dt', {}, 'cookie'), el('dd', {}, String(ns.cookie)));
      box.append(dl);
      for (const i of ns.interfaces) {
        box.append(countersTable(i.name + ' (counted at ' + i.counted_at + ')', ifaceKey(ns.name, i.name), i.rx, i.tx));
        box.append(dropsList(ns.name, i.name));
      }
    } else if (sel.kind === 'port') {
      const p = b.ports.find((x) => x.name === sel.name);
      box.append(el('h3', {}, 'port ' + sel.name + ' of ' + b.name));
      if (!p) {
        box.append(el('p', {}, 'gone'));
        return;
      }
      const dl = el('dl');
      dl.append(el('dt', {}, 'peer'), el('dd', {}, p.peer + ' in ' + (p.peer_namespace || '(no named namespace)')),
        el('dt', {}, 'ifindex'), el('dd', {}, String(p.ifindex)));
      box.append(dl);
      box.append(countersTable(p.name, portKey(b.name, p.name), p.rx, p.tx));
      box.append(forwardingTable(p, true));
      box.append(dropsList('host', p.name));
    } else {
      box.append(el('h3', {}, 'bridge ' + b.name + ': its own device (the host side)'));
      box.append(countersTable(b.name, localKey(b.name), b.local.rx, b.local.tx));
      box.append(forwardingTable(b.local, false));
      box.append(dropsList('host', b.name));
    }
  }

  // ---- the forwarding matrix ----
  let matrixMode = 'rate';
  $('#matrix-mode').addEventListener('change', (e) => { matrixMode = e.target.value; if (state.doc) drawMatrix(state.doc); });

  function drawMatrix(doc) {
    const box = $('#matrix');
    box.textContent = '';
    for (const b of doc.bridges) {
      const places = b.ports.map((p) => p.name).concat(['local']);
      const label = new Map(b.ports.map((p) => [p.name, p.peer_namespace || p.name]));
      label.set('local', 'local');
      if (b.matrix === null) {
        box.append(el('p', {}, b.name + ': the matrix of its ' + places.length + ' places is left out (past 64 places it is ~' +
          Math.round((places.length * places.length) / 1000) + 'k pairs); the places\u2019 sums are in each port\u2019s counters, and ' +
          '/api/v1/stats?matrix has it all.'));
        continue;
      }
      const frames = new Map();
      let max = 0;
      for (const m of b.matrix) {
        const v = matrixMode === 'rate' ? perSecond(pairKey(b.name, m.from, m.to), (o) => o.frames) || 0 : m.frames;
        frames.set(m.from + '\u2192' + m.to, { v: v, m: m });
        max = Math.max(max, v);
      }
      const cell = Math.max(14, Math.min(44, Math.floor(560 / places.length)));
      // Room for the longest name, written sideways above the columns and before the rows.
      const labelW = Math.min(140, 24 + 7.5 * Math.max(...places.map((pl) => label.get(pl).length)));
      const w = labelW + cell * places.length + 10;
      const h = labelW + cell * places.length + 10;
      const s = sv('svg', { width: w, height: h, viewBox: '0 0 ' + w + ' ' + h, role: 'img',
        'aria-label': 'forwarding matrix of ' + b.name + ', ' + (matrixMode === 'rate' ? 'frames per second' : 'frames') });
      s.append(sv('title', {}, 'forwarding matrix of ' + b.name));
      places.forEach((pl, j) => {
        const x = labelW + j * cell + cell / 2;
        s.append(sv('text', { x: x, y: labelW - 6, transform: 'rotate(-60 ' + x + ' ' + (labelW - 6) + ')' }, label.get(pl)));
        s.append(sv('text', { x: labelW - 6, y: labelW + j * cell + cell * 0.65, 'text-anchor': 'end' }, label.get(pl)));
      });
      places.forEach((from, i) => places.forEach((to, j) => {
        const f = frames.get(from + '\u2192' + to);
        const v = f ? f.v : 0;
        const rect = sv('rect', { class: 'cell', x: labelW + j * cell, y: labelW + i * cell, width: cell, height: cell,
          'data-from': from, 'data-to': to, 'data-value': v.toFixed(2) });
        rect.style.fill = heat(v, max);
        rect.append(sv('title', {}, label.get(from) + ' \u2192 ' + label.get(to) + ': ' +
          (matrixMode === 'rate' ? fmtRate(v) + ' frames/s' : v + ' frames') +
          (f ? ' (' + f.m.forwarded + ' forwarded, ' + f.m.flooded + ' flooded in all)' : '')));
        s.append(rect);
      }));
      box.append(el('h3', {}, b.name));
      box.append(s);
    }
  }

  // 0 -> the panel's colour; more -> towards --heat1 then --heat2, on a log scale.
  function heat(v, max) {
    if (!(v > 0) || !(max > 0)) return 'var(--heat0)';
    const f = Math.log(1 + v) / Math.log(1 + max);
    const pct = Math.round(15 + 85 * f);
    return f < 0.5 ? 'color-mix(in srgb, var(--heat1) ' + pct + '%, var(--heat0))'
      : 'color-mix(in srgb, var(--heat2) ' + pct + '%, var(--heat1))';
  }

  // ---- the events ----
  const TYPES = ['netns', 'ns', 'link', 'addr', 'neigh', 'fdb', 'drop', 'attach', 'lost'];
  const shown = new Set(TYPES);
  const ticker = $('#ticker');
  const eventsState = $('#events-state');
  let paused = false;
  let held = [];
  let seen = 0;
  const MAX_LINES = 200;

  // Tracepoints see the whole machine: by default, only what concerns the lab on the page.
  let labOnly = true;
  {
    const label = el('label', { for: 'lab-only' });
    const box = el('input', { type: 'checkbox', id: 'lab-only', checked: '' });
    box.addEventListener('change', () => { labOnly = box.checked; });
    label.append(box, document.createTextNode(' only this lab\u2019s'));
    $('#event-types').append(label);
  }
  function aboutLab(e) {
    const doc = state.doc;
    if (!doc || e.type === 'lost' || e.type === 'netns') return true;
    if (e.netns) return doc.namespaces.some((n) => n.name === e.netns);
    if (e.type === 'fdb' || e.type === 'attach') {
      // Another lab's bridge may have the same name: its ports tell them apart.
      return doc.bridges.some((b) => b.name === e.bridge && (!e.ifname || b.ports.some((p) => p.name === e.ifname)));
    }
    return !!e.ifname && doc.bridges.some((b) => b.name === e.ifname || b.ports.some((p) => p.name === e.ifname));
  }

  for (const t of TYPES) {
    const id = 'type-' + t;
    const label = el('label', { for: id });
    const box = el('input', { type: 'checkbox', id: id, checked: '' });
    box.addEventListener('change', () => { if (box.checked) shown.add(t); else shown.delete(t); });
    label.append(box, document.createTextNode(' ' + t));
    $('#event-types').append(label);
  }

  function setPaused(p) {
    paused = p;
    const b = $('#pause-events');
    b.setAttribute('aria-pressed', String(p));
    b.textContent = p ? 'Resume' : 'Pause';
    if (!p) {
      for (const e of held) addLine(e);
      held = [];
    }
    showEventsState();
  }
  $('#pause-events').addEventListener('click', () => setPaused(!paused));

  function showEventsState(text) {
    eventsState.textContent = text || (paused ? 'paused: ' + held.length + ' waiting' : seen + ' events');
  }

  function summary(e) {
    const f = (k) => (e[k] === undefined || e[k] === null ? '' : String(e[k]));
    switch (e.type) {
      case 'netns': return f('action') + ' ' + f('name');
      case 'ns': return f('action') + ' ' + f('ns_type') + ':[' + f('inode') + ']' + (e.comm ? ' by ' + e.comm + '[' + f('pid') + ']' : '') + (e.syscall ? ' via ' + e.syscall : '');
      case 'link': return f('ifname') + ' ' + f('action') + (e.kind ? ' (' + e.kind + ')' : '') + (e.master ? ' master ' + e.master : '');
      case 'addr': return f('ifname') + ' ' + f('action') + ' ' + f('address') + '/' + f('prefixlen');
      case 'neigh': return f('ifname') + ' ' + f('address') + ' ' + f('old_state') + ' \u2192 ' + f('new_state') + (e.lladdr ? ' ' + e.lladdr : '');
      case 'fdb': return f('bridge') + ' ' + f('action') + ' ' + f('mac') + (e.ifname ? ' on ' + e.ifname : '');
      case 'drop': return f('ifname') + ' ' + f('reason') + (e.comm ? ' (' + e.comm + ')' : '');
      case 'attach': return f('action') + ' ' + f('port') + (e.peer ? ' (' + e.peer + ')' : '');
      case 'lost': return f('source') + ': ' + f('lost') + ' lost, ' + f('lost_total') + ' in all';
      default: return '';
    }
  }

  function addLine(e) {
    const li = el('li', { class: 't-' + e.type });
    const time = String(e.time || '').replace(/^.*T/, '').replace(/\d{3}Z$/, '');
    li.append(el('time', { datetime: String(e.time || '') }, time));
    li.append(el('span', { class: 'type' }, e.type));
    li.append(document.createTextNode(' ' + (e.netns ? e.netns + ' ' : '') + summary(e)));
    li.title = JSON.stringify(e);
    ticker.prepend(li);
    while (ticker.children.length > MAX_LINES) ticker.lastChild.remove();
  }

  function onEvent(e) {
    seen++;
    if (e.type === 'drop') {
      const k = (e.netns || 'host') + '/' + e.ifname;
      if (!state.drops.has(k)) state.drops.set(k, new Map());
      const m = state.drops.get(k);
      m.set(e.reason, (m.get(e.reason) || 0) + 1);
    }
    if (!shown.has(e.type) || (labOnly && !aboutLab(e))) return;
    if (paused) {
      held.push(e);
      if (held.length > MAX_LINES) held.shift();
    } else {
      addLine(e);
    }
    showEventsState();
  }

  function openEvents() {
    const es = new EventSource('/api/v1/events');
    es.onopen = () => showEventsState();
    es.onmessage = (m) => {
      let e;
      try { e = JSON.parse(m.data); } catch (x) { return; }
      onEvent(e);
    };
    // EventSource reconnects by itself (the server says after 2 s).
    es.onerror = () => showEventsState('reconnecting');
  }

  // ---- the ladder of `explain --json` ----
  const ladderBox = $('#ladder');
  const ladderState = $('#ladder-state');

  function parseLadder(text) {
    const steps = [];
    for (const line of text.split('\n')) {
      const l = line.trim();
      if (!l) continue;
      let s;
      try { s = JSON.parse(l); } catch (e) { throw new Error('not explain --json output: ' + l.slice(0, 60)); }
      if (typeof s.where !== 'string' || typeof s.hook !== 'string' || typeof s.what !== 'string') {
        throw new Error('a line without where, hook and what: ' + l.slice(0, 60));
      }
      steps.push(s);
    }
    if (!steps.length) throw new Error('no steps');
    return steps;
  }

  function packetKind(what) {
    if (/^ARP request/.test(what)) return 'arp-request';
    if (/^ARP reply/.test(what)) return 'arp-reply';
    if (/^ICMP echo request/.test(what)) return 'echo-request';
    if (/^ICMP echo reply/.test(what)) return 'echo-reply';
    return 'other';
  }

  // The five lifelines: the sender, its veth, the bridge, the receiver's veth, the receiver.
  function lifelines(steps) {
    let from = null;
    let to = null;
    let fromVeth = null;
    let toVeth = null;
    let bridge = null;
    for (const s of steps) {
      const [ns, ifname] = s.where.split(' ');
      if (ns === 'host') {
        if (/^bridge:/.test(s.hook)) bridge = bridge || ifname;
        continue;
      }
      if (from === null) { from = ns; fromVeth = ifname; } else if (to === null && ns !== from) { to = ns; toVeth = ifname; }
    }
    return { from, fromVeth, bridge: bridge || 'bridge', toVeth, to };
  }

  function lineOf(s, L) {
    const [ns] = s.where.split(' ');
    const tc = /^tc /.test(s.hook);
    if (ns === 'host') return 2;
    if (ns === L.from) return tc ? 1 : 0;
    if (ns === L.to) return tc ? 3 : 4;
    return 2;
  }

  function drawLadder(steps, source) {
    ladderBox.textContent = '';
    const L = lifelines(steps);
    const names = [L.from, L.fromVeth, L.bridge, L.toVeth, L.to].map((x) => x || '?');
    // Large type makes the whole ladder larger, so that its rows still hold their text.
    const k = root.classList.contains('large') ? 1.5 : 1;
    const colW = 135 * k;
    const left = 90 * k;
    const top = 60 * k;
    const rowH = 26 * k;
    const textX = left + colW * 4 + 60 * k;
    const w = textX + 720 * k;
    const h = top + rowH * (steps.length + 1);
    const s = sv('svg', { width: w, height: h, viewBox: '0 0 ' + w + ' ' + h, role: 'img',
      'aria-label': 'sequence diagram of ' + steps.length + ' steps across ' + names.join(', ') });
    s.append(sv('title', {}, 'the first ping, step by step (' + source + ')'));
    const defs = sv('defs');
    for (const k of ['arp-request', 'arp-reply', 'echo-request', 'echo-reply', 'other']) {
      const m = sv('marker', { id: 'head-' + k, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
      m.append(sv('path', { d: 'M0,0 L10,5 L0,10 z', class: 'k-' + k }));
      defs.append(m);
    }
    s.append(defs);
    names.forEach((n, j) => {
      const x = left + j * colW;
      const head = sv('g', { class: 'head', 'data-lifeline': n });
      head.append(sv('rect', { x: x - 65 * k, y: 8, width: 130 * k, height: 30 * k, rx: 5 }));
      head.append(sv('text', { x: x, y: 8 + 20 * k, 'text-anchor': 'middle' }, n));
      s.append(head);
      s.append(sv('line', { class: 'lifeline', x1: x, y1: 8 + 32 * k, x2: x, y2: h - 8 }));
    });
    const lastHop = new Map();   // packet -> its last lifeline
    steps.forEach((st, i) => {
      const y = top + rowH * i + rowH / 2;
      const j = lineOf(st, L);
      const x = left + j * colW;
      const packet = st.what.split(': ')[0];
      const kind = packetKind(st.what);
      const g = sv('g', { class: 'step', 'data-step': String(st.step || i + 1), 'data-kind': st.kind || '' });
      g.append(sv('title', {}, st.where + ' \u00b7 ' + st.hook + ' \u00b7 ' + st.what));
      g.append(sv('text', { class: 'time', x: left - 70 * k, y: y + 4 * k }, '+' + Number(st.t_us || 0).toFixed(1) + ' \u00b5s'));
      if (st.kind === 'hop') {
        // From where this packet was last (or from the sender's stack, at its first hop).
        const from = lastHop.has(packet) ? lastHop.get(packet) : (j <= 1 ? 0 : 4);
        lastHop.set(packet, j);
        if (from !== j) {
          const x0 = left + from * colW;
          g.append(sv('line', { class: 'arrow k-' + kind, x1: x0, y1: y, x2: x + (x0 < x ? -4 : 4), y2: y, 'marker-end': 'url(#head-' + kind + ')' }));
        } else {
          g.append(sv('circle', { class: 'k-' + kind, cx: x, cy: y, r: 5 }));
        }
      } else {
        g.append(sv('rect', { class: 'note', x: x - 6, y: y - 6, width: 12, height: 12, transform: 'rotate(45 ' + x + ' ' + y + ')' }));
      }
      g.append(sv('text', { class: 'what', x: textX, y: y + 4 * k }, st.hook + ' \u2014 ' + st.what));
      s.append(g);
    });
    ladderBox.append(s);
    ladderState.textContent = steps.length + ' steps from ' + source;
  }

  function loadLadder(text, source) {
    try {
      ladder = { steps: parseLadder(text), source: source };
      drawLadder(ladder.steps, ladder.source);
    } catch (e) {
      ladderBox.textContent = '';
      ladderState.textContent = source + ': ' + e.message;
    }
  }

  $('#ladder-file').addEventListener('change', (e) => {
    const f = e.target.files[0];
    if (!f) return;
    f.text().then((t) => loadLadder(t, f.name), (err) => { ladderState.textContent = f.name + ': ' + err.message; });
  });
  async function loadExample() {
    try {
      const r = await fetch('/first-ping.ndjson');
      loadLadder(await r.text(), 'a recording of the seed lab\u2019s first ping');
    } catch (e) {
      ladderState.textContent = 'cannot load the example: ' + e.message;
    }
  }
  $('#ladder-example').addEventListener('click', loadExample);
  // Drop a file anywhere on the ladder's panel.
  const ladderPanel = $('#ladder-panel');
  ladderPanel.addEventListener('dragover', (e) => e.preventDefault());
  ladderPanel.addEventListener('drop', (e) => {
    e.preventDefault();
    const f = e.dataTransfer.files[0];
    if (f) f.text().then((t) => loadLadder(t, f.name));
  });

  // ---- keys ----
  const keys = $('#keys');
  function showKeys(on) {
    keys.hidden = !on;
    if (on) $('#keys-close').focus();
  }
  $('#keys-button').addEventListener('click', () => showKeys(true));
  $('#keys-close').addEventListener('click', () => showKeys(false));
  document.addEventListener('keydown', (e) => {
    const t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA')) return;
    const k = e.key;
    if (k === 'Escape') {
      if (!keys.hidden) showKeys(false);
      else select(null);
    } else if (k === '?') showKeys(keys.hidden);
    else if (k === 'p' || k === 'P') setPaused(!paused);
    else if (k === 'l' || k === 'L') setLarge(!root.classList.contains('large'));
    else if (k === 'd' || k === 'D') setScheme(root.dataset.scheme === 'dark' ? 'light' : 'dark');
    else if (k === '+' || k === '=') zoom(0.7);
    else if (k === '-') zoom(1 / 0.7);
    else if (k === '0') fit();
    else if (k.startsWith('Arrow') && state.view && state.view[2] < state.full[2]) {
      pan(k === 'ArrowLeft' ? -1 : k === 'ArrowRight' ? 1 : 0, k === 'ArrowUp' ? -1 : k === 'ArrowDown' ? 1 : 0);
    } else return;
    e.preventDefault();
  });

  // ---- start ----
  refresh();
  if (!/(^|[#&])events=off(&|$)/.test(location.hash)) openEvents();
  if (/(^|[#&])ladder=example(&|$)/.test(location.hash)) loadExample();
})();
