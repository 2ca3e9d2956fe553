// Inspect view: a world's manifest summary, codebook health, and its anchors with waveform and spectrogram
// thumbnails; any anchor can be auditioned (rendered by the plugins' engine) or opened in the code grid editor.
import { get, guarded, queryString } from './api.js';
import { $, emptied, textRow } from './dom.js';

export class InspectView {
  constructor(editAnchor) {
    this.editAnchor = editAnchor;
    $('world-open').onclick = () => this.open($('world-path').value);
  }

  open(path) {
    $('world-path').value = path;
    return guarded(async () => {
      $('world').hidden = true;
      const world = await get('/api/world', { path });
      this.world = world;
      this.render(world);
      $('world').hidden = false;
      await this.thumbnails(world);
    });
  }

  render(w) {
    $('world-name').textContent = w.name;
    const t = w.training;
    const rows = [
      ['File', `${w.path} (${(w.fileBytes / 1024).toFixed(0)} KiB)`],
      ['Producer', w.producer], ['Created', new Date(w.created).toISOString().slice(0, 16).replace('T', ' ') + ' UTC'],
      ['Audio', `${w.audio.sampleRate / 1000} kHz, FFT ${w.audio.nFft}, hop ${w.audio.hop}, ${w.audio.mels} mel bands`],
      ['Grid', `${w.grid.stepsPerSecond.toFixed(3)} steps/s, ${w.grid.frequencyPositions} frequency positions`],
      ['Quantizer', `${w.quantizer.levels} levels × ${w.quantizer.codebookSize} codes, latent ${w.quantizer.latentDim}`],
      ['Prior', `hidden ${w.prior.hidden}, ${w.prior.layers} layers, context ${w.prior.contextSteps} steps`],
      ['Training', `${t.files} files (${t.seconds.toFixed(1)} s); autoencoder ${t.autoencoderSteps} steps` +
        (t.validationLoss != null ? ` (validation loss ${t.validationLoss.toFixed(4)})` : '') + `; prior ${t.priorSteps} steps; seed ${t.seed}`],
      ['Anchors', String(w.anchors.length)],
    ];
    $('world-summary').replaceChildren(...rows.flatMap(([k, v]) => {
      const dt = document.createElement('dt'), dd = document.createElement('dd');
      dt.textContent = k; dd.textContent = v;
      return [dt, dd];
    }));
    const health = emptied('world-health');
    for (let l = 0; l < w.quantizer.levels; l++) {
      const h = t.codebookHealth.find(x => x.level === l);
      textRow(health, [l, h?.utilizationPercent.toFixed(0) ?? '–', h?.perplexity.toFixed(1) ?? '–', h?.deadCodes ?? '–',
                       t.priorBits[l]?.toFixed(3) ?? '–', t.unigramBits[l]?.toFixed(3) ?? '–']);
    }
    const anchors = emptied('anchors');
    for (const a of w.anchors) {
      const tr = textRow(anchors, [a.index, a.name, `${a.seconds.toFixed(2)} s (${a.timeSteps} steps)`]);
      tr.dataset.anchor = a.index;
      tr.insertCell().append(canvas('wave', 160, 36));
      tr.insertCell().append(canvas('spectrogram', 96, 36));
      const actions = tr.insertCell();
      actions.append(button('▶ Audition', () => this.audition(a.index)), button('Edit codes', () => this.editAnchor(w.path, a.index)));
    }
  }

  audition(anchor) {
    const audio = $('inspect-audio');
    audio.src = '/api/world/audio' + queryString({ path: this.world.path, anchor });
    audio.play().catch(() => {}); // autoplay may be refused; the controls are there
  }

  async thumbnails(w) {
    for (const a of w.anchors) {
      const thumb = await get('/api/world/thumbnail', { path: w.path, anchor: a.index });
      const row = $('anchors').querySelector(`tr[data-anchor="${a.index}"]`);
      if (!row || this.world !== w) return;
      drawWave(row.querySelector('canvas.wave'), thumb.peaks);
      drawSpectrogram(row.querySelector('canvas.spectrogram'), thumb);
      row.dataset.thumbnail = 'drawn';
    }
  }
}

function canvas(kind, width, height) {
  const c = document.createElement('canvas');
  c.className = 'thumb ' + kind;
  c.width = width; c.height = height;
  return c;
}

function button(text, onclick) {
  const b = document.createElement('button');
  b.textContent = text;
  b.onclick = onclick;
  return b;
}

function drawWave(c, peaks) {
  const g = c.getContext('2d');
  const max = Math.max(1e-6, ...peaks);
  g.fillStyle = '#1565c0';
  peaks.forEach((p, x) => {
    const h = Math.max(1, (p / max) * (c.height - 2));
    g.fillRect(x * c.width / peaks.length, (c.height - h) / 2, Math.max(1, c.width / peaks.length), h);
  });
}

function drawSpectrogram(c, thumb) {
  const g = c.getContext('2d');
  const image = g.createImageData(thumb.spectrogramColumns, thumb.spectrogramRows);
  const values = Uint8Array.from(atob(thumb.spectrogram), ch => ch.charCodeAt(0));
  values.forEach((v, i) => {
    // near black (quiet) → orange → pale yellow (loud)
    image.data.set([Math.min(255, 30 + v * 1.1), Math.max(0, v * 1.1 - 60), Math.max(0, v * 1.6 - 250) + 40 * (1 - v / 255), 255], i * 4);
  });
  const scratch = new OffscreenCanvas(thumb.spectrogramColumns, thumb.spectrogramRows);
  scratch.getContext('2d').putImageData(image, 0, 0);
  g.imageSmoothingEnabled = false;
  g.drawImage(scratch, 0, 0, c.width, c.height);
}
