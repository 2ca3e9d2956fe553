// Code grid editor: one anchor's codes as a grid per RVQ level (time steps across, frequency positions up),
// coloured by code. Drag to select a region (time × frequency; the level boxes choose the levels), then regenerate it
// with the prior, copy/paste it, lock it; undo/redo; audition the edited codes with a playhead; save as new anchors.
import { get, post, guarded, showError, showInfo, clearBanner, ApiError } from './api.js';
import { $ } from './dom.js';

const cellHeight = 14;
// One id per browser tab: the server lets one tab edit a world at a time.
const tab = sessionStorage.getItem('distill-tab') || (crypto.randomUUID?.() ?? String(Math.random()).slice(2));
sessionStorage.setItem('distill-tab', tab);

export class GridEditor {
  constructor(showView) {
    this.showView = showView;
    this.session = null;
    this.grid = null;
    this.selection = null;   // { t0, t1, f0, f1 } (end exclusive)
    this.clip = null;
    this.lastRegenerateMs = null;
    this.auditions = 0;
    $('edit-anchor').onchange = () => guarded(() => this.load(Number($('edit-anchor').value)));
    $('edit-regenerate').onclick = () => guarded(() => this.regenerate());
    $('edit-copy').onclick = () => guarded(() => this.copy());
    $('edit-paste').onclick = () => guarded(() => this.paste());
    $('edit-lock').onclick = () => guarded(() => this.lock(true));
    $('edit-unlock').onclick = () => guarded(() => this.lock(false));
    $('edit-undo').onclick = () => guarded(() => this.change('/undo'));
    $('edit-redo').onclick = () => guarded(() => this.change('/redo'));
    $('edit-audition').onclick = () => this.audition();
    $('edit-save').onclick = () => guarded(() => this.save());
    const audio = $('edit-audio');
    audio.addEventListener('play', () => this.followPlayhead());
    document.addEventListener('keydown', e => this.key(e));
    window.addEventListener('pagehide', () => { if (this.session) navigator.sendBeacon(`/api/edit/${this.session}/close`); });
  }

  async open(path, anchor, takeOver = false) {
    this.showView();
    try {
      clearBanner();
      // One world at a time per tab: leaving one lets another tab edit it.
      if (this.session && this.world?.path !== path) await post(`/api/edit/${this.session}/close`).catch(() => {});
      const reply = await post('/api/edit/open', { path, tab, takeOver });
      this.session = reply.session;
      this.world = reply.world;
    } catch (e) {
      showError(e);
      if (e.status === 409) {
        const take = document.createElement('button');
        take.textContent = 'Take over here';
        take.onclick = () => this.open(path, anchor, true);
        $('banner').append(take);
      }
      return;
    }
    $('edit-world').textContent = `${this.world.name} (${this.world.path})`;
    $('edit-anchor').replaceChildren(...this.world.anchors.map(a => new Option(`${a.index}: ${a.name} (${a.seconds.toFixed(1)} s)`, a.index)));
    $('edit-levels').replaceChildren(...Array.from({ length: this.world.quantizer.levels }, (_, l) => {
      const label = document.createElement('label');
      const box = document.createElement('input');
      box.type = 'checkbox'; box.checked = true; box.value = l; box.className = 'level-box';
      box.onchange = () => this.draw();
      label.append(box, ` L${l}`);
      return label;
    }));
    await guarded(() => this.load(anchor));
  }

  async load(anchor) {
    this.selection = null;
    this.show(await get(`/api/edit/${this.session}/grid`, { anchor }));
  }

  show(grid) {
    this.grid = grid;
    $('edit-anchor').value = grid.anchor;
    $('edit-undo').disabled = !grid.canUndo;
    $('edit-redo').disabled = !grid.canRedo;
    this.layout();
    this.draw();
    this.status();
  }

  levels() { return [...document.querySelectorAll('.level-box')].filter(b => b.checked).map(b => Number(b.value)); }

  region() {
    if (!this.selection) throw new ApiError(0, 'Select a region first: drag across the grid.');
    return { anchor: this.grid.anchor, ...this.selection, levels: this.levels() };
  }

  async regenerate() {
    const started = performance.now();
    const grid = await post(`/api/edit/${this.session}/regenerate`, {
      region: this.region(), temperature: Number($('edit-temperature').value), topK: Number($('edit-topk').value),
      topP: Number($('edit-topp').value), seed: Number($('edit-seed').value),
    });
    this.show(grid);
    this.lastRegenerateMs = performance.now() - started;
    this.status(`regenerated in ${this.lastRegenerateMs.toFixed(0)} ms`);
  }

  async copy() {
    this.clip = await post(`/api/edit/${this.session}/copy`, this.region());
    this.status(`copied ${this.clip.timeSteps} × ${this.clip.frequencies} × ${this.clip.levels.length} codes`);
  }

  async paste() {
    if (!this.clip) throw new ApiError(0, 'Nothing copied yet: select a region and Copy first (any anchor).');
    if (!this.selection) throw new ApiError(0, 'Select where to paste: the region\'s first cell is where the copy starts.');
    this.show(await post(`/api/edit/${this.session}/paste`, { anchor: this.grid.anchor, timeStep: this.selection.t0, frequency: this.selection.f0, clip: this.clip }));
  }

  async lock(locked) {
    this.show(await post(`/api/edit/${this.session}/lock`, { region: this.region(), locked }));
  }

  async change(path) {
    const grid = await post(`/api/edit/${this.session}${path}`);
    if (grid.anchor !== this.grid.anchor) this.selection = null;
    this.show(grid);
  }

  audition() {
    if (!this.session) return;
    const audio = $('edit-audio');
    audio.src = `/api/edit/${this.session}/audio?anchor=${this.grid.anchor}&n=${++this.auditions}`;
    audio.play().catch(() => {}); // autoplay may be refused; the controls are there
  }

  async save() {
    const saved = await post(`/api/edit/${this.session}/save`);
    showInfo(`Saved ${saved.anchors.join(', ')} as new anchors in ${saved.path}: install it with "distill install-world" to play it.`);
  }

  status(extra) {
    const g = this.grid;
    const s = this.selection;
    $('edit-status').textContent = [
      `${g.name}: ${g.timeSteps} steps × ${g.frequencies} frequency positions × ${g.levels} levels, ${g.changed} cell(s) changed`,
      s ? `selection t ${s.t0}–${s.t1 - 1}, f ${s.f0}–${s.f1 - 1}, levels ${this.levels().join(',')}` : 'drag to select a region',
      extra ?? '',
    ].filter(Boolean).join(' · ');
  }

  layout() {
    const g = this.grid;
    const container = $('grid');
    const width = Math.max(4, Math.min(40, Math.floor((container.clientWidth - 20) / g.timeSteps)));
    this.cellWidth = width;
    if (container.dataset.shape === `${g.anchor}/${g.timeSteps}/${g.frequencies}/${g.levels}/${width}`) return;
    container.dataset.shape = `${g.anchor}/${g.timeSteps}/${g.frequencies}/${g.levels}/${width}`;
    container.replaceChildren();
    this.canvases = [];
    for (let l = 0; l < g.levels; l++) {
      const block = document.createElement('div');
      block.className = 'level';
      const title = document.createElement('h3');
      title.textContent = `Level ${l}${l === 0 ? ' (coarse)' : l === g.levels - 1 ? ' (fine)' : ''}`;
      const c = document.createElement('canvas');
      c.width = g.timeSteps * width; c.height = g.frequencies * cellHeight;
      c.dataset.level = l;
      this.mouse(c, l);
      block.append(title, c);
      container.append(block);
      this.canvases.push(c);
    }
  }

  draw(playheadStep = null) {
    const g = this.grid;
    if (!g) return;
    const chosen = this.levels();
    this.canvases.forEach((c, l) => {
      const ctx = c.getContext('2d');
      for (let t = 0; t < g.timeSteps; t++)
        for (let f = 0; f < g.frequencies; f++) {
          const i = (t * g.frequencies + f) * g.levels + l;
          const x = t * this.cellWidth, y = (g.frequencies - 1 - f) * cellHeight;
          ctx.fillStyle = colour(g.codes[i]);
          ctx.fillRect(x, y, this.cellWidth, cellHeight);
          if (g.locked[i]) {
            ctx.strokeStyle = '#000';
            ctx.beginPath(); ctx.moveTo(x, y + cellHeight); ctx.lineTo(x + this.cellWidth, y); ctx.stroke();
          }
        }
      const s = this.selection;
      if (s && chosen.includes(l)) {
        ctx.strokeStyle = '#fff'; ctx.lineWidth = 2;
        ctx.strokeRect(s.t0 * this.cellWidth + 1, (g.frequencies - s.f1) * cellHeight + 1, (s.t1 - s.t0) * this.cellWidth - 2, (s.f1 - s.f0) * cellHeight - 2);
        ctx.lineWidth = 1;
      }
      if (playheadStep !== null) {
        ctx.fillStyle = '#fff';
        ctx.fillRect(playheadStep * this.cellWidth, 0, 2, c.height);
      }
    });
  }

  cellAt(c, event) {
    const r = c.getBoundingClientRect();
    const t = Math.min(this.grid.timeSteps - 1, Math.max(0, Math.floor((event.clientX - r.left) / this.cellWidth)));
    const f = Math.min(this.grid.frequencies - 1, Math.max(0, this.grid.frequencies - 1 - Math.floor((event.clientY - r.top) / cellHeight)));
    return { t, f };
  }

  mouse(c, level) {
    let from = null;
    const select = (a, b) => {
      this.selection = { t0: Math.min(a.t, b.t), t1: Math.max(a.t, b.t) + 1, f0: Math.min(a.f, b.f), f1: Math.max(a.f, b.f) + 1 };
      this.draw();
      this.status();
    };
    c.addEventListener('mousedown', e => { from = this.cellAt(c, e); select(from, from); });
    c.addEventListener('mousemove', e => {
      const at = this.cellAt(c, e);
      if (from && e.buttons === 1) select(from, at);
      const g = this.grid, i = (at.t * g.frequencies + at.f) * g.levels + level;
      const tip = $('tooltip');
      tip.textContent = `t ${at.t} (${(at.t / g.stepsPerSecond).toFixed(2)} s) · f ${at.f} · level ${level} · code ${g.codes[i]} · p ${g.probabilities[i].toFixed(3)}${g.locked[i] ? ' · locked' : ''}`;
      tip.style.left = `${e.clientX + 12}px`; tip.style.top = `${e.clientY + 12}px`;
      tip.hidden = false;
    });
    c.addEventListener('mouseup', () => { from = null; });
    c.addEventListener('mouseleave', () => { $('tooltip').hidden = true; });
  }

  followPlayhead() {
    const audio = $('edit-audio');
    const frame = () => {
      if (audio.paused || audio.ended) { this.draw(); return; }
      this.draw(Math.floor(audio.currentTime * this.grid.stepsPerSecond));
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }

  key(e) {
    if ($('view-edit').hidden || !this.session || e.target.tagName === 'INPUT') return;
    const k = e.key.toLowerCase();
    if (!(e.ctrlKey || e.metaKey)) return;
    const action = k === 'z' && !e.shiftKey ? () => this.change('/undo') : (k === 'y' || (k === 'z' && e.shiftKey)) ? () => this.change('/redo')
      : k === 'c' ? () => this.copy() : k === 'v' ? () => this.paste() : null;
    if (action) { e.preventDefault(); guarded(action); }
  }
}

/** A code's colour: hues spread by the golden angle so neighbouring codes differ, in three lightnesses. */
function colour(code) {
  const hue = (code * 137.508) % 360;
  const light = 38 + (code % 3) * 12;
  return `hsl(${hue.toFixed(0)} 60% ${light}%)`;
}
