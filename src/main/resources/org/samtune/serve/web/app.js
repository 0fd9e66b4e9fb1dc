'use strict';
// samtune serve: a canvas viewer for one slice at a time, SAM prompts, label painting. Talks only to its own
// server (same origin); every state-changing request carries the page's CSRF token.

const CSRF = document.querySelector('meta[name="samtune-csrf"]').content;
const PRESETS = { 'brain': [40, 80], 'soft-tissue': [40, 400], 'lung': [-600, 1500], 'bone': [400, 1800], 'liver': [60, 150] };
const $ = (id) => document.getElementById(id);
const PALETTE = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#46f0f0', '#f032e6', '#bcf60c'];

const S = {
  info: null, doc: null, axis: 'axial', index: 0, w: 0, h: 0,
  values: null, rgb: null, labels: null, labelsVersion: -1, classes: [], active: 0,
  preset: 'auto', level: 0, width: 1,
  points: [], box: null, candidates: null, chosen: -1,
  tool: 'prompt', zoom: 1, panX: 0, panY: 0, drag: null, stroke: null,
  job: null, requestSeq: 0, review: null, truth: null,
};

// ---- server ----
async function api(method, path, body) {
  const opt = { method, headers: {}, credentials: 'same-origin' };
  if (method !== 'GET') {
    opt.headers['X-Samtune-Csrf'] = CSRF;
    if (body instanceof Blob || body instanceof ArrayBuffer) {
      opt.body = body;
      opt.headers['Content-Type'] = 'application/octet-stream';
    } else if (body !== undefined) {
      opt.body = JSON.stringify(body);
      opt.headers['Content-Type'] = 'application/json';
    }
  }
  const r = await fetch(path, opt);
  if (!r.ok) {
    let msg = r.status + ' ' + r.statusText;
    try { msg = (await r.json()).error || msg; } catch (e) { /* not JSON */ }
    throw new Error(msg);
  }
  return r;
}
const getJson = async (p) => (await api('GET', p)).json();
const postJson = async (p, b) => (await api('POST', p, b)).json();
const docParams = () => 'doc=' + S.doc.id + '&path=' + encodeURIComponent(S.doc.path);
const docBody = (extra) => Object.assign({ doc: S.doc.id, path: S.doc.path }, extra || {});

function status(text, kind) {
  const el = $('status');
  el.textContent = text;
  el.className = kind || '';
}
async function guarded(fn) {
  try { await fn(); } catch (e) { status(e.message, 'error'); }
}

// ---- files ----
async function listFiles(path) {
  const r = await getJson('/api/files?path=' + encodeURIComponent(path));
  const crumbs = $('crumbs');
  crumbs.textContent = '/' + r.path;
  const ul = $('files');
  ul.innerHTML = '';
  if (r.path) {
    const up = document.createElement('li');
    up.className = 'folder';
    up.textContent = '..';
    up.onclick = () => guarded(() => listFiles(r.path.split('/').slice(0, -1).join('/')));
    ul.appendChild(up);
  }
  for (const e of r.entries) {
    const li = document.createElement('li');
    li.className = e.kind;
    li.textContent = e.name;
    li.title = e.kind === 'folder' ? 'open folder (double click: open as DICOM series)' : e.kind;
    li.dataset.path = e.path;
    if (e.kind === 'folder') {
      li.onclick = () => guarded(() => listFiles(e.path));
      li.ondblclick = () => guarded(() => openDoc(e.path));
    } else {
      li.onclick = () => guarded(() => openDoc(e.path));
    }
    ul.appendChild(li);
  }
}

async function openDoc(path) {
  status('opening ' + path + ' …', 'busy');
  showDoc(await postJson('/api/open', { path }));
}

async function upload(file) {
  if (S.info && file.size > S.info.maxUploadBytes) {
    throw new Error(file.name + ' is ' + file.size + ' bytes; the server accepts at most ' + S.info.maxUploadBytes);
  }
  status('uploading ' + file.name + ' …', 'busy');
  const r = await api('POST', '/api/upload?name=' + encodeURIComponent(file.name.replace(/[^A-Za-z0-9_.-]/g, '_')), file);
  showDoc(await r.json());
}

async function showDoc(doc) {
  leaveReview();
  S.doc = doc;
  $('doc-name').textContent = doc.path + '  ' + doc.dims.join('×');
  const axes = $('axes');
  axes.innerHTML = '';
  for (const a of Object.keys(doc.axes)) {
    const b = document.createElement('button');
    b.textContent = a;
    b.dataset.axis = a;
    b.onclick = () => guarded(() => setAxis(a));
    axes.appendChild(b);
  }
  $('wl-section').hidden = doc.kind === 'picture';
  applyPreset($('preset').value);
  await setAxis(doc.axes.axial ? 'axial' : Object.keys(doc.axes)[0], true);
  await refreshLabels();
  status('opened ' + doc.path);
}

async function setAxis(axis, middle) {
  S.axis = axis;
  for (const b of $('axes').children) b.classList.toggle('on', b.dataset.axis === axis);
  const a = S.doc.axes[axis];
  $('slice').max = a.count - 1;
  S.zoom = 0;
  await setSlice(Math.floor(a.count / 2));
}

async function setSlice(i) {
  const a = S.doc.axes[S.axis];
  i = Math.max(0, Math.min(a.count - 1, i));
  S.index = i;
  $('slice').value = i;
  $('slice-label').textContent = S.axis + ' ' + i + ' / ' + (a.count - 1);
  clearPrompts();
  const seq = ++S.requestSeq;
  const r = await api('GET', '/api/slice?' + docParams() + '&axis=' + S.axis + '&index=' + i);
  const buf = await r.arrayBuffer();
  if (seq !== S.requestSeq) return;
  S.w = +r.headers.get('X-Width');
  S.h = +r.headers.get('X-Height');
  if (r.headers.get('X-Format') === 'rgb8') { S.rgb = new Uint8Array(buf); S.values = null; }
  else { S.values = new Float32Array(buf); S.rgb = null; }
  await loadLabelSlice();
  if (S.zoom === 0) fit();
  draw();
}

async function loadLabelSlice() {
  const r = await api('GET', '/api/labels/slice?' + docParams() + '&axis=' + S.axis + '&index=' + S.index);
  S.labels = new Uint8Array(await r.arrayBuffer());
  S.labelsVersion = +r.headers.get('X-Version');
}

async function refreshLabels() {
  showLabels(await getJson('/api/labels?' + docParams()));
}

function showLabels(info) {
  S.classes = info.classes;
  if (!S.classes.some((c) => c.value === S.active)) S.active = S.classes.length ? S.classes[0].value : 0;
  const ul = $('classes');
  ul.innerHTML = '';
  for (const c of S.classes) {
    const li = document.createElement('li');
    li.className = c.value === S.active ? 'active' : '';
    li.dataset.value = c.value;
    li.innerHTML = '<span class="swatch"></span><span class="name"></span><span class="small"></span>';
    li.querySelector('.swatch').style.background = c.color;
    li.querySelector('.name').textContent = c.value + ' ' + c.name;
    li.querySelector('.small').textContent = c.voxels + ' vox';
    li.onclick = () => { S.active = c.value; showLabels(info); };
    ul.appendChild(li);
  }
  $('undo').disabled = info.undoDepth === 0;
  if (!S.classes.some((c) => c.name === $('class-name').value)) return;
  $('class-name').value = 'class_' + (Math.max(0, ...S.classes.map((c) => c.value)) + 1);
}

// ---- window / level ----
function applyPreset(p) {
  S.preset = p;
  if (p === 'auto' && S.doc) {
    const [lo, hi] = S.doc.autoBounds;
    S.level = (lo + hi) / 2; S.width = Math.max(hi - lo, 1e-6);
  } else if (PRESETS[p]) {
    [S.level, S.width] = PRESETS[p];
  }
  $('level').value = +S.level.toFixed(2);
  $('width').value = +S.width.toFixed(2);
}
function windowSpec() {
  if (S.preset === 'auto' || PRESETS[S.preset]) return S.preset;
  return S.level + ',' + S.width;
}

// ---- drawing ----
const view = $('view');
const ctx = view.getContext('2d');
const off = document.createElement('canvas');

function hexRgb(hex) { return [1, 3, 5].map((i) => parseInt(hex.substr(i, 2), 16)); }

function render() {
  off.width = S.w; off.height = S.h;
  const o = off.getContext('2d');
  const img = o.createImageData(S.w, S.h);
  const d = img.data;
  const n = S.w * S.h;
  const lo = S.level - S.width / 2;
  const colors = {};
  for (const c of S.classes) colors[c.value] = hexRgb(c.color);
  const cand = S.candidates && S.chosen >= 0 ? S.candidates.masks[S.chosen] : null;
  for (let i = 0; i < n; i++) {
    let r, g, b;
    if (S.rgb) { r = S.rgb[3 * i]; g = S.rgb[3 * i + 1]; b = S.rgb[3 * i + 2]; }
    else {
      let t = (S.values[i] - lo) / S.width;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      r = g = b = Math.floor(t * 255 + 0.5);
    }
    const l = S.labels ? S.labels[i] : 0;
    if (l && colors[l]) {
      const c = colors[l];
      r = 0.55 * r + 0.45 * c[0]; g = 0.55 * g + 0.45 * c[1]; b = 0.55 * b + 0.45 * c[2];
    }
    if (cand && cand[i]) { r = 0.5 * r + 127; g = 0.5 * g + 110; b = 0.5 * b; }
    if (S.stroke && S.stroke[i]) { r = 0.5 * r + 64; g = 0.5 * g + 64; b = 0.5 * b + 127; }
    if (S.truth && S.truth[i] && isEdge(S.truth, i)) { r = 255; g = 255; b = 255; }
    d[4 * i] = r; d[4 * i + 1] = g; d[4 * i + 2] = b; d[4 * i + 3] = 255;
  }
  o.putImageData(img, 0, 0);
}

/** A truth pixel whose 4-neighbour has another label: the outline drawn over the prediction. */
function isEdge(t, i) {
  const x = i % S.w, y = (i - x) / S.w, v = t[i];
  return x === 0 || y === 0 || x === S.w - 1 || y === S.h - 1 || t[i - 1] !== v || t[i + 1] !== v
    || t[i - S.w] !== v || t[i + S.w] !== v;
}

function draw() {
  const W = view.clientWidth, H = view.clientHeight;
  if (view.width !== W || view.height !== H) { view.width = W; view.height = H; }
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, W, H);
  if (!(S.values || S.rgb)) return;
  render();
  ctx.imageSmoothingEnabled = false;
  ctx.setTransform(S.zoom, 0, 0, S.zoom, S.panX, S.panY);
  ctx.drawImage(off, 0, 0);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  for (const [x, y, l] of S.points) {
    const [sx, sy] = toScreen(x + 0.5, y + 0.5);
    ctx.beginPath(); ctx.arc(sx, sy, 5, 0, 2 * Math.PI);
    ctx.fillStyle = l ? '#2ecc40' : '#ff4136'; ctx.fill();
    ctx.strokeStyle = '#fff'; ctx.lineWidth = 1.5; ctx.stroke();
  }
  const box = S.drag && S.drag.box ? S.drag.box : S.box;
  if (box) {
    const [x0, y0] = toScreen(box[0], box[1]);
    const [x1, y1] = toScreen(box[2], box[3]);
    ctx.strokeStyle = '#39cccc'; ctx.lineWidth = 2; ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
  }
}

function fit() {
  const W = view.clientWidth, H = view.clientHeight;
  S.zoom = Math.min(W / S.w, H / S.h);
  S.panX = (W - S.w * S.zoom) / 2;
  S.panY = (H - S.h * S.zoom) / 2;
}
function toScreen(x, y) { return [S.panX + x * S.zoom, S.panY + y * S.zoom]; }
function toImage(ev) {
  const r = view.getBoundingClientRect();
  return [(ev.clientX - r.left - S.panX) / S.zoom, (ev.clientY - r.top - S.panY) / S.zoom];
}
function zoomAt(factor, cx, cy) {
  S.panX = cx - (cx - S.panX) * factor;
  S.panY = cy - (cy - S.panY) * factor;
  S.zoom *= factor;
  draw();
}

// ---- prompts ----
function clearPrompts() {
  S.points = []; S.box = null; S.candidates = null; S.chosen = -1;
  $('candidates').innerHTML = '';
  $('accept').disabled = true;
  $('prompts').textContent = '';
}

function describePrompts() {
  const p = S.points.map(([x, y, l]) => (l ? 'fg' : 'bg') + ' (' + x + ', ' + y + ')');
  if (S.box) p.push('box (' + S.box.join(', ') + ')');
  $('prompts').textContent = p.join('  ');
}

async function runPrompt() {
  if (!S.info.prompting) throw new Error('no SAM model: start samtune serve with --checkpoint or --run');
  describePrompts();
  const seq = ++S.requestSeq;
  const t0 = performance.now();
  const poll = setInterval(async () => {
    try {
      const s = await getJson('/api/status');
      if (s.busy) status(s.busy + ' … ' + s.busySeconds.toFixed(1) + ' s', 'busy');
    } catch (e) { /* the prompt request reports errors */ }
  }, 300);
  status('segmenting …', 'busy');
  let r;
  try {
    r = await postJson('/api/prompt', docBody({ axis: S.axis, index: S.index, window: windowSpec(),
      points: S.points, box: S.box }));
  } finally { clearInterval(poll); }
  if (seq !== S.requestSeq) return;
  const n = r.width * r.height;
  S.candidates = { iou: r.iou, masks: r.masks.map((b64) => {
    const s = atob(b64); const m = new Uint8Array(n);
    for (let i = 0; i < n; i++) m[i] = s.charCodeAt(i);
    return m;
  }) };
  const el = $('candidates');
  el.innerHTML = '';
  r.iou.forEach((iou, k) => {
    const b = document.createElement('button');
    b.textContent = 'mask ' + (k + 1) + ' · IoU ' + iou.toFixed(3);
    b.dataset.candidate = k;
    b.onclick = () => choose(k);
    el.appendChild(b);
  });
  choose(r.best);
  status((r.embeddingCached ? 'embedding cached' : 'embedding ' + r.embedMs.toFixed(0) + ' ms')
    + ', decoder ' + r.decodeMs.toFixed(0) + ' ms, round trip ' + (performance.now() - t0).toFixed(0) + ' ms');
}

function choose(k) {
  S.chosen = k;
  for (const b of $('candidates').children) b.classList.toggle('on', +b.dataset.candidate === k);
  $('accept').disabled = false;
  draw();
}

async function ensureClass() {
  if (S.classes.length) return;
  await addClass();
}
async function addClass() {
  const name = $('class-name').value.trim();
  const value = Math.max(0, ...S.classes.map((c) => c.value)) + 1;
  const info = await postJson('/api/labels/class', docBody({ value, name }));
  S.active = value;
  showLabels(info);
}

function b64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

async function paint(mask, value, what) {
  const info = await postJson('/api/labels/paint', docBody({ axis: S.axis, index: S.index, value, what,
    mask: b64(mask) }));
  showLabels(info);
  await loadLabelSlice();
  draw();
  return info;
}

async function accept() {
  if (!S.candidates || S.chosen < 0) return;
  await ensureClass();
  const info = await paint(S.candidates.masks[S.chosen], S.active, 'accept mask');
  const name = S.classes.find((c) => c.value === S.active).name;
  clearPrompts();
  draw();
  status('accepted into ' + name + ' (' + info.changed + ' voxels changed)');
}

async function undo() {
  if (!S.doc) throw new Error('open an image first');
  const info = await postJson('/api/labels/undo', docBody());
  showLabels(info);
  await loadLabelSlice();
  draw();
  status(info.undone ? 'undone: ' + info.undone : 'nothing to undo');
}

function stamp(x, y) {
  const r = +$('radius').value;
  const cx = Math.floor(x), cy = Math.floor(y);
  for (let yy = Math.max(0, cy - r); yy <= Math.min(S.h - 1, cy + r); yy++) {
    for (let xx = Math.max(0, cx - r); xx <= Math.min(S.w - 1, cx + r); xx++) {
      if ((xx - cx) ** 2 + (yy - cy) ** 2 <= r * r) S.stroke[yy * S.w + xx] = 1;
    }
  }
}

// ---- mouse ----
view.addEventListener('contextmenu', (e) => e.preventDefault());
view.addEventListener('mousedown', (e) => {
  if (!S.doc && !S.review) return;
  const [x, y] = toImage(e);
  const pan = S.review || S.tool === 'pan' || e.button === 1 || (e.shiftKey && S.tool !== 'prompt');
  S.drag = { x0: e.clientX, y0: e.clientY, ix: x, iy: y, button: e.button, pan, panX: S.panX, panY: S.panY };
  if (!pan && (S.tool === 'brush' || S.tool === 'eraser') && e.button === 0) {
    if (S.tool === 'brush' && !S.classes.length) { status('add a class first', 'error'); S.drag = null; return; }
    S.stroke = new Uint8Array(S.w * S.h);
    stamp(x, y);
    draw();
  }
});
window.addEventListener('mousemove', (e) => {
  const d = S.drag;
  if (!d) return;
  if (d.pan) { S.panX = d.panX + e.clientX - d.x0; S.panY = d.panY + e.clientY - d.y0; draw(); return; }
  const [x, y] = toImage(e);
  if (S.stroke) { stamp(x, y); draw(); return; }
  if (S.tool === 'prompt' && d.button === 0 && Math.hypot(e.clientX - d.x0, e.clientY - d.y0) > 4) {
    d.box = clampBox([d.ix, d.iy, x, y]);
    draw();
  }
});
window.addEventListener('mouseup', (e) => {
  const d = S.drag;
  S.drag = null;
  if (!d || d.pan) return;
  if (S.stroke) {
    const m = S.stroke;
    S.stroke = null;
    guarded(() => paint(m, S.tool === 'eraser' ? 0 : S.active, S.tool).then(() => status(S.tool + ' applied')));
    return;
  }
  if (S.tool !== 'prompt') return;
  if (d.box) {
    S.box = d.box;
    guarded(runPrompt);
    return;
  }
  const x = Math.floor(d.ix), y = Math.floor(d.iy);
  if (x < 0 || y < 0 || x >= S.w || y >= S.h) return;
  S.points.push([x, y, d.button === 2 ? 0 : 1]);
  guarded(runPrompt);
});
function clampBox(b) {
  const x0 = Math.max(0, Math.min(b[0], b[2])), x1 = Math.min(S.w, Math.max(b[0], b[2]));
  const y0 = Math.max(0, Math.min(b[1], b[3])), y1 = Math.min(S.h, Math.max(b[1], b[3]));
  return [Math.round(x0), Math.round(y0), Math.round(x1), Math.round(y1)];
}
view.addEventListener('wheel', (e) => {
  if (!S.doc && !S.review) return;
  e.preventDefault();
  if (e.ctrlKey || e.metaKey) {
    const r = view.getBoundingClientRect();
    zoomAt(e.deltaY < 0 ? 1.15 : 1 / 1.15, e.clientX - r.left, e.clientY - r.top);
  } else if (S.review) {
    guarded(() => reviewSlice(S.review.index + (e.deltaY > 0 ? 1 : -1)));
  } else {
    guarded(() => setSlice(S.index + (e.deltaY > 0 ? 1 : -1)));
  }
}, { passive: false });
window.addEventListener('keydown', (e) => {
  if (e.target.tagName === 'INPUT') return;
  if (S.review) {
    if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      e.preventDefault();
      guarded(() => reviewSlice(S.review.index + (e.key === 'ArrowUp' ? 1 : -1)));
    }
    return;
  }
  if (!S.doc) return;
  if (e.key === 'Escape') { clearPrompts(); draw(); }
  else if ((e.ctrlKey || e.metaKey) && e.key === 'z') { e.preventDefault(); guarded(undo); }
  else if (e.key === 'a') guarded(accept);
  else if (e.key === 'ArrowUp' || e.key === 'PageUp') { e.preventDefault(); guarded(() => setSlice(S.index + 1)); }
  else if (e.key === 'ArrowDown' || e.key === 'PageDown') { e.preventDefault(); guarded(() => setSlice(S.index - 1)); }
});
window.addEventListener('resize', () => { if (S.doc || S.review) { fit(); draw(); } });
// another tab may have changed the labels: reload them when this one comes back
document.addEventListener('visibilitychange', () => {
  if (!document.hidden && S.doc) guarded(async () => { await refreshLabels(); await loadLabelSlice(); draw(); });
});

// ---- controls ----
$('slice').addEventListener('input', (e) => guarded(() => (S.review ? reviewSlice(+e.target.value) : setSlice(+e.target.value))));
$('preset').addEventListener('change', (e) => { applyPreset(e.target.value); clearPrompts(); draw(); });
for (const id of ['level', 'width']) {
  $(id).addEventListener('change', () => {
    S.level = +$('level').value; S.width = Math.max(+$('width').value, 1e-6);
    S.preset = 'custom'; $('preset').value = 'custom'; clearPrompts(); draw();
  });
}
for (const b of $('tools').children) {
  b.onclick = () => {
    S.tool = b.dataset.tool;
    for (const o of $('tools').children) o.classList.toggle('on', o === b);
    view.style.cursor = S.tool === 'pan' ? 'grab' : 'crosshair';
  };
}
$('zoom-in').onclick = () => zoomAt(1.25, view.clientWidth / 2, view.clientHeight / 2);
$('zoom-out').onclick = () => zoomAt(0.8, view.clientWidth / 2, view.clientHeight / 2);
$('fit').onclick = () => { if (S.doc || S.review) { fit(); draw(); } };
$('accept').onclick = () => guarded(accept);
$('undo').onclick = () => guarded(undo);
$('clear').onclick = () => { clearPrompts(); draw(); };
$('add-class').onclick = () => guarded(async () => { if (!S.doc) throw new Error('open an image first'); await addClass(); });
$('upload').addEventListener('change', (e) => { const f = e.target.files[0]; if (f) guarded(() => upload(f)); e.target.value = ''; });
$('export-nifti').onclick = () => guarded(async () => {
  if (!S.doc) throw new Error('open an image first');
  const r = await postJson('/api/export/nifti', docBody());
  $('export').textContent = 'wrote ' + r.path + ' (' + r.nonZeroVoxels + ' labelled voxels)';
  status('exported ' + r.path);
});
$('export-dataset').onclick = () => guarded(async () => {
  if (!S.doc) throw new Error('open an image first');
  const r = await postJson('/api/export/dataset', docBody({ axis: S.axis, window: windowSpec(),
    split: $('split').value, shots: +$('shots').value }));
  $('export').textContent = 'wrote ' + r.path + '\n' + r.summary;
  status('exported ' + r.path);
});
$('segment').onclick = () => guarded(async () => {
  if (!S.doc) throw new Error('open an image first');
  const j = await postJson('/api/segment', docBody({ axis: S.axis, window: windowSpec() }));
  followJob(j);
});
$('cancel').onclick = () => guarded(async () => { if (S.job) await postJson('/api/jobs/' + S.job + '/cancel', {}); });

function followJob(j) {
  S.job = j.id;
  $('cancel').hidden = false;
  $('job-progress').hidden = false;
  const tick = async () => {
    const s = await getJson('/api/jobs/' + j.id);
    $('job-progress').max = s.total; $('job-progress').value = s.done;
    const eta = s.etaSeconds >= 0 ? ', ETA ' + s.etaSeconds.toFixed(0) + ' s' : '';
    $('job').textContent = s.state + ': ' + s.done + ' / ' + s.total + ' slices' + eta + (s.message ? ' — ' + s.message : '');
    if (s.state === 'running' || s.state === 'queued') { setTimeout(() => guarded(tick), 500); return; }
    $('cancel').hidden = true;
    S.job = null;
    if (s.state === 'done') { await refreshLabels(); await loadLabelSlice(); draw(); }
    status('segmentation ' + s.state + (s.message ? ': ' + s.message : ''), s.state === 'failed' ? 'error' : '');
  };
  guarded(tick);
}

// ---- review of a run ----
function leaveReview() {
  S.review = null; S.truth = null;
  $('review-slices').innerHTML = ''; $('review-mean').textContent = ''; $('review-all').disabled = true;
}

// a study folder: its cells in a list, each reviewed as a run
async function reviewFolder() {
  const path = $('review-run').value.trim();
  const cells = $('review-cell');
  let study = null;
  try {
    study = await getJson('/api/review/study?study=' + encodeURIComponent(path));
  } catch (e) {
    if (!/not a study folder/.test(e.message)) throw e;
  }
  cells.innerHTML = '';
  cells.hidden = study === null;
  if (study === null) { await reviewOpen(path); return; }
  for (const c of study.cells) {
    const o = document.createElement('option');
    o.value = c.run;
    o.disabled = c.state !== 'done' && c.state !== 'trained';
    o.textContent = c.dataset + ' · ' + c.strategy + ' · seed ' + c.seed + ' — ' + c.state
      + (c.meanDice === null ? '' : ', test Dice ' + c.meanDice.toFixed(3));
    cells.appendChild(o);
  }
  const first = study.cells.find((c) => c.state === 'done' || c.state === 'trained');
  if (!first) { status(study.study + ': no trained cell yet (' + study.cells.length + ' cells)', 'error'); return; }
  cells.value = first.run;
  await reviewOpen(first.run);
}

async function reviewOpen(run) {
  const list = $('review-list').value.trim();
  status('loading the run …', 'busy');
  const r = await getJson('/api/review?run=' + encodeURIComponent(run) + '&list=' + encodeURIComponent(list));
  S.doc = null; clearPrompts();
  S.review = { run: r.run, list: r.list, slices: r.slices, names: r.classes, index: 0, dice: {} };
  S.classes = r.classes.slice(1).map((name, k) => ({ value: k + 1, name, color: PALETTE[k % PALETTE.length] }));
  $('doc-name').textContent = 'review ' + r.run + ' · ' + r.list + ' (' + r.slices.length + ' slices)';
  $('axes').innerHTML = '';
  $('slice').max = r.slices.length - 1;
  const ol = $('review-slices');
  ol.innerHTML = '';
  r.slices.forEach((name, i) => {
    const li = document.createElement('li');
    li.dataset.index = i;
    li.textContent = name;
    li.onclick = () => guarded(() => reviewSlice(i));
    ol.appendChild(li);
  });
  $('review-all').disabled = false;
  S.zoom = 0;
  await reviewSlice(0);
}

async function reviewSlice(i) {
  const R = S.review;
  i = Math.max(0, Math.min(R.slices.length - 1, i));
  R.index = i;
  $('slice').value = i;
  $('slice-label').textContent = 'slice ' + i + ' / ' + (R.slices.length - 1);
  const seq = ++S.requestSeq;
  status('predicting ' + R.slices[i] + ' …', 'busy');
  const r = await getJson('/api/review/slice?run=' + encodeURIComponent(R.run) + '&list='
    + encodeURIComponent(R.list) + '&index=' + i);
  if (seq !== S.requestSeq || S.review !== R) return;
  const bytes = (b) => Uint8Array.from(atob(b), (ch) => ch.charCodeAt(0));
  S.w = r.width; S.h = r.height; S.values = null;
  S.rgb = bytes(r.image); S.labels = bytes(r.prediction); S.truth = bytes(r.truth);
  noteDice(i, r.dice);
  for (const li of $('review-slices').children) li.classList.toggle('on', +li.dataset.index === i);
  if (S.zoom === 0) fit();
  draw();
  status(r.name + ': ' + r.dice.map((d) => d.name + ' Dice ' + (d.dice === null ? 'n/a' : d.dice.toFixed(3))).join(', ')
    + '  (fill: prediction, white outline: truth)');
}

function noteDice(i, dice) {
  S.review.dice[i] = dice;
  const li = $('review-slices').children[i];
  li.textContent = S.review.slices[i] + ' — ' + dice.map((d) => (d.dice === null ? 'n/a' : d.dice.toFixed(3))).join(' / ');
  const per = {};
  for (const ds of Object.values(S.review.dice)) {
    for (const d of ds) if (d.dice !== null) (per[d.name] = per[d.name] || []).push(d.dice);
  }
  $('review-mean').textContent = 'mean Dice over ' + Object.keys(S.review.dice).length + ' scored: '
    + Object.entries(per).map(([n, v]) => n + ' ' + (v.reduce((a, b) => a + b, 0) / v.length).toFixed(3)).join(', ');
}

$('review-open').onclick = () => guarded(reviewFolder);
$('review-cell').onchange = () => guarded(() => reviewOpen($('review-cell').value));
$('review-all').onclick = () => guarded(async () => {
  const R = S.review;
  for (let i = 0; i < R.slices.length && S.review === R; i++) {
    if (!R.dice[i]) await reviewSlice(i);
  }
});

(async () => guarded(async () => {
  S.info = await getJson('/api/info');
  $('model').textContent = 'model: ' + S.info.model;
  $('run-section').hidden = !S.info.run;
  await listFiles('');
}))();
