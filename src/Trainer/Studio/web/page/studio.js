// Distill Studio: three views (Train, Inspect, Edit codes) over one JSON API.
import { get, guarded } from './api.js';
import { TrainView } from './train.js';
import { InspectView } from './inspect.js';
import { GridEditor } from './grid.js';

const views = ['train', 'inspect', 'edit'];

export function show(view) {
  for (const v of views) document.getElementById('view-' + v).hidden = v !== view;
  for (const b of document.querySelectorAll('nav .tab')) b.classList.toggle('active', b.dataset.view === view);
}

const editor = new GridEditor(() => show('edit'));
const inspect = new InspectView((path, anchor) => editor.open(path, anchor));
const train = new TrainView(path => { show('inspect'); inspect.open(path); });

for (const b of document.querySelectorAll('nav .tab')) b.addEventListener('click', () => show(b.dataset.view));

guarded(async () => {
  const session = await get('/api/session');
  document.getElementById('root').textContent = `folders below ${session.root}`;
  await train.start();
  window.studio.ready = performance.now();
});

// Hooks for the browser tests and for curious users: what is loaded and how long things took.
window.studio = { train, inspect, editor, ready: null };
