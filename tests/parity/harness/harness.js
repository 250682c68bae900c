// In-page half of the reference harness (tests/parity/reference.py drives it).
// Exposes window.harness: reset(scenario, w, h, seed, host), seekMany(times), boxes().
// Follows shared/spec/reference-harness.md section 5; plugins are deliberately not registered.
import { MotionTextRenderer } from '/node_modules/motiontext-renderer/dist/index.js';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const frame = document.getElementById('frame');
let renderer = null;

// Deterministic Math.random (mulberry32), reseeded on every reset. The renderer itself never
// calls Math.random; this only keeps any locally registered plugin repeatable.
function seedRandom(seed) {
  let a = seed >>> 0;
  Math.random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Measurements taken at mount use whatever font is active, so load declared fonts first.
const fontsReady = (async () => {
  await document.fonts.load('16px "Roboto Flex"');
  await document.fonts.ready;
})();

// The host page (motiontext/host_styles.py): the inherited values of the stage's container,
// applied to the frame (html stays 16 px, so rem does too), and its language.
const HOST_PROPERTIES = ['font-family', 'font-size', 'line-height', 'color', 'font-weight'];

function applyHost(host) {
  for (const name of HOST_PROPERTIES) frame.style.removeProperty(name);
  for (const [name, value] of Object.entries(host?.css ?? {})) frame.style.setProperty(name, value);
  if (host?.lang) frame.lang = host.lang;
  else frame.removeAttribute('lang');
}

// Web fonts, as the editor loads them: one FontFace per file, its weight descriptor (400, or a
// variable face's range such as "100 900"), the unicode-range of each Fontsource subset.
// Loaded once per page, in declaration order (later faces win where ranges overlap, as in Blink).
const webFonts = new Map();

async function loadWebFonts(faces) {
  await Promise.all((faces ?? []).map((f) => {
    if (!webFonts.has(f.url)) {
      const descriptors = { weight: String(f.weight), style: f.style };
      if (f.unicodeRange) descriptors.unicodeRange = f.unicodeRange;
      const face = new FontFace(f.family, `url(${f.url})`, descriptors);
      document.fonts.add(face);
      webFonts.set(f.url, face.load());
    }
    return webFonts.get(f.url);
  }));
}

function rectOf(el) {
  const r = el.getBoundingClientRect();
  return { x: r.x, y: r.y, width: r.width, height: r.height };
}

async function reset(scenario, width, height, seed = 1, host = null) {
  await fontsReady;
  await loadWebFonts(host?.fonts);
  if (renderer) renderer.dispose();
  applyHost(host);
  frame.style.width = `${width}px`;
  frame.style.height = `${height}px`;
  // A fresh stage element each time: dispose() leaves inline fit styles on the old one.
  frame.replaceChildren(document.createElement('div'));
  const stage = frame.firstElementChild;
  stage.id = 'stage';
  seedRandom(seed);
  // Construct right before loadConfig: the first ResizeObserver callback re-fits the stage to
  // the scenario's aspect only once a scenario is loaded (reference-harness.md 5.1 step 4).
  renderer = new MotionTextRenderer(stage);
  await renderer.loadConfig(scenario);
  if (typeof scenario?.define === 'object') await document.fonts.ready; // define font assets
  const throttleMs = scenario?.behavior?.resizeThrottleMs ?? 80;
  await sleep(throttleMs + 170);
  let rect = rectOf(stage);
  for (let i = 0; i < 20 && !sameBox(rect, width, height); i++) {
    await sleep(50);
    rect = rectOf(stage);
  }
  if (!sameBox(rect, width, height)) {
    throw new Error(`stage is ${JSON.stringify(rect)}, expected (0,0,${width},${height}); ` +
      'does the frame size match the scenario aspect?');
  }
  return rect;
}

function sameBox(r, w, h) {
  return r.x === 0 && r.y === 0 && r.width === w && r.height === h;
}

// seek() is synchronous: the DOM is final for the last time when this returns.
function seekMany(times) {
  for (const t of times) renderer.seek(t);
}

// Layout probe (debug aid): every node element and its .mtx-base-wrapper.
function boxes() {
  const out = [];
  const describe = (el, nodeId, role) => {
    const cs = getComputedStyle(el);
    out.push({
      nodeId, role, className: el.className, rect: rectOf(el),
      fontSize: cs.fontSize, lineHeight: cs.lineHeight, fontFamily: cs.fontFamily,
      style: el.getAttribute('style'),
    });
  };
  for (const el of frame.querySelectorAll('[data-node-id]')) {
    const id = el.getAttribute('data-node-id');
    describe(el, id, 'node');
    const wrapper = el.querySelector(':scope > .mtx-base-wrapper');
    if (wrapper) describe(wrapper, id, 'base-wrapper');
  }
  return out;
}

// Font probe (debug aid): an element styled with `css` holding `text`, inside the frame with
// `host` applied; the driver then asks CDP which platform fonts draw it.
async function probe(text, css, host) {
  await fontsReady;
  await loadWebFonts(host?.fonts);
  applyHost(host);
  const el = document.createElement('div');
  el.id = 'font-probe';
  for (const [name, value] of Object.entries(css)) el.style.setProperty(name, value);
  el.textContent = text;
  frame.replaceChildren(el);
  return el.offsetWidth; // forces layout, so the fonts are chosen
}

window.harness = { reset, seekMany, boxes, probe };
window.harnessReady = true;
