// Train view: server-side folder browser, the configuration table with (auto)/(override) marks, start/stop/resume,
// and the live run from the server-sent event stream: loss curves, codebook health, prior bits vs unigram.
import { get, post, guarded, showError, serverGone, ApiError } from './api.js';
import { $, emptied, textRow } from './dom.js';

const fixed = (v, digits) => (v === undefined || v === null ? '–' : Number(v).toFixed(digits));

export class TrainView {
  constructor(inspectWorld) {
    this.inspectWorld = inspectWorld;
    this.folder = null;      // the browsed folder's listing
    this.trainFolder = null; // the folder the configuration table is for
    this.overrides = {};
    this.runDir = null;
    this.state = 'idle';
    this.steps = [[], [], [], [], []];      // step, total, mel, stft, commitment
    this.validation = [[], [], [], []];     // step, total, mel, stft
    this.health = { batch: null, validation: null };
    $('use-folder').onclick = () => guarded(() => this.configure(this.folder.path));
    $('resume-folder').onclick = () => guarded(() => this.resume(this.folder.path));
    $('inspect-folder').onclick = () => this.inspectWorld(this.folder.path);
    $('train-start').onclick = () => guarded(() => this.startRun());
    $('train-stop').onclick = () => guarded(() => post('/api/train/stop'));
    $('train-resume').onclick = () => guarded(() => this.resume(this.runDir));
  }

  async start() {
    this.trainChart = chart($('chart-train'), ['total', 'mel', 'stft', 'commitment'], this.steps);
    this.validationChart = chart($('chart-validation'), ['total', 'mel', 'stft'], this.validation);
    await this.browse('.');
    this.listen();
  }

  async browse(path) {
    const listing = await get('/api/folders', { path });
    this.folder = listing;
    $('browser-path').textContent = listing.path;
    const list = $('browser-list');
    list.replaceChildren();
    const item = (text, tag, onclick) => {
      const li = document.createElement('li');
      li.textContent = text;
      if (tag) { const t = document.createElement('span'); t.className = 'tag'; t.textContent = tag; li.append(t); }
      li.onclick = () => guarded(onclick);
      list.append(li);
    };
    if (listing.parent !== null) item('⬑ ..', '', () => this.browse(listing.parent));
    for (const f of listing.folders) item('📁 ' + f.name, f.hasWorld ? 'world' : f.isRun ? 'run' : '', () => this.browse(f.path));
    for (const w of listing.worlds) item('◆ ' + w.name, 'world', () => this.inspectWorld(w.path));
    $('browser-info').textContent = listing.isRun ? 'A run folder.' : `${listing.audioFiles} audio file(s) here.`;
    $('resume-folder').hidden = !listing.isRun;
    $('inspect-folder').hidden = !listing.isRun;
    $('use-folder').hidden = listing.isRun;
  }

  async configure(folder) {
    const reply = await post('/api/train/config', { folder, overrides: this.overrides });
    // A new folder suggests its run folder; a run folder the user typed stays (replies may arrive after typing).
    if (this.trainFolder !== folder || !$('run-dir').value) $('run-dir').value = reply.runDir;
    this.trainFolder = folder;
    $('config-folder').textContent = `${reply.folder}: ${reply.files} usable file(s), ${reply.seconds.toFixed(1)} s` +
      (reply.skipped.length ? `; skipped ${reply.skipped.map(s => `${s.file} (${s.reason})`).join(', ')}` : '');
    const body = emptied('config-table');
    for (const row of reply.rows) {
      const tr = textRow(body, [row.label]);
      tr.dataset.key = row.key;
      const value = tr.insertCell();
      if (row.editable) {
        const input = document.createElement('input');
        input.value = row.value;
        input.name = row.key;
        input.onchange = () => guarded(async () => {
          if (input.value.trim() === '') delete this.overrides[row.key];
          else this.overrides[row.key] = Number(input.value);
          try { await this.configure(folder); } catch (e) { delete this.overrides[row.key]; throw e; }
        });
        value.append(input);
      } else value.textContent = row.value;
      const source = tr.insertCell();
      source.textContent = row.source;
      source.className = row.source === '(override)' ? 'source-override' : row.source === '(auto)' ? 'source-auto' : '';
    }
    this.updateButtons();
  }

  async startRun() {
    await post('/api/train/start', { folder: this.trainFolder, runDir: $('run-dir').value, overrides: this.overrides });
  }

  async resume(runDir) {
    await post('/api/train/resume', { runDir });
  }

  /** The server's event stream: a reconnect replays the run from the start, so the charts are rebuilt from scratch. */
  listen() {
    const source = new EventSource('/api/train/events');
    source.onopen = () => this.reset();
    source.addEventListener('state', e => this.onState(JSON.parse(e.data)));
    source.addEventListener('step', e => this.onStep(JSON.parse(e.data)));
    source.addEventListener('epoch', e => this.onEpoch(JSON.parse(e.data)));
    source.addEventListener('prior', e => this.onPrior(JSON.parse(e.data)));
    source.addEventListener('message', e => this.onMessage(JSON.parse(e.data).text));
    source.onerror = async () => {
      // EventSource retries by itself; only a server that no longer answers at all is reported.
      try { await get('/api/session'); } catch { source.close(); this.serverStopped(); }
    };
    this.source = source;
  }

  serverStopped() {
    this.state = 'gone';
    $('train-state').textContent = 'The studio server stopped.';
    showError(new ApiError(0, serverGone));
    for (const id of ['train-start', 'train-stop', 'train-resume']) $(id).disabled = true;
  }

  reset() {
    for (const series of [...this.steps, ...this.validation]) series.length = 0;
    this.health = { batch: null, validation: null };
    this.redraw();
  }

  onState(s) {
    if (s.state === 'running' && this.state !== 'running' && s.message === 'Starting…') this.reset();
    this.state = s.state;
    this.runDir = s.runDir;
    $('train-state').textContent = `${s.state}${s.stage ? ` (${s.stage})` : ''}: ${s.message}`;
    $('train-state').dataset.state = s.state;
    if (s.state === 'failed') showError(new ApiError(0, s.message));
    this.updateButtons();
  }

  onStep(r) {
    // Non-finite values arrive as strings ("NaN"): a gap in the chart.
    const values = [r.step + 1, r.loss.total, r.loss.mel, r.loss.stft, r.loss.commitment].map(finite);
    values.forEach((v, i) => this.steps[i].push(v));
    if (r.batchHealth) this.health.batch = r.batchHealth;
    this.progress(`autoencoder step ${r.step + 1} of ${r.totalSteps}, epoch ${r.epoch + 1}, ${fixed(r.stepsPerSecond, 2)} steps/s`);
    this.redraw();
  }

  progress(text) {
    if (this.state === 'running') $('train-state').textContent = `running: ${text}`;
  }

  onEpoch(r) {
    [r.step + 1, r.validation.total, r.validation.mel, r.validation.stft].map(finite).forEach((v, i) => this.validation[i].push(v));
    this.health.validation = r.health;
    this.redraw();
  }

  onPrior(r) {
    const body = emptied('prior-table');
    r.levelBits.forEach((bits, level) => textRow(body, [level, fixed(bits, 3), fixed(r.unigramBits[level], 3), fixed(r.unigramBits[level] - bits, 3)]));
    this.progress(`prior epoch ${r.epoch + 1}`);
    $('prior-epoch').textContent = `prior epoch ${r.epoch + 1}, step ${r.step + 1}: train ${fixed(r.trainLoss, 3)}, validation ${fixed(r.validationBits, 3)} bits/token`;
  }

  onMessage(text) {
    const li = document.createElement('li');
    li.textContent = text;
    $('train-messages').append(li);
  }

  redraw() {
    this.trainChart.setData(this.steps);
    this.validationChart.setData(this.validation);
    const body = emptied('health-table');
    const { batch, validation } = this.health;
    const levels = Math.max(batch?.length || 0, validation?.length || 0);
    for (let l = 0; l < levels; l++) {
      const b = batch?.[l], v = validation?.[l];
      textRow(body, [l, fixed(b?.utilizationPercent, 0), fixed(b?.perplexity, 1), fixed(v?.utilizationPercent, 0), fixed(v?.perplexity, 1), v ? v.deadCodes : '–']);
    }
  }

  updateButtons() {
    const busy = this.state === 'running' || this.state === 'stopping';
    $('train-start').disabled = busy || !this.trainFolder;
    $('train-stop').disabled = this.state !== 'running';
    $('train-resume').disabled = busy || !(this.state === 'stopped' || this.state === 'failed') || !this.runDir;
  }
}

function finite(v) {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function chart(element, names, data) {
  const colours = ['#1565c0', '#2e7d32', '#ef6c00', '#6a1b9a'];
  return new uPlot({
    width: Math.max(320, (element.clientWidth || 480) - 24), height: 220,
    scales: { x: { time: false } },
    axes: [{ label: 'step' }, {}],
    series: [{ label: 'step' }, ...names.map((n, i) => ({ label: n, stroke: colours[i], width: 1.5 }))],
  }, data, element);
}
