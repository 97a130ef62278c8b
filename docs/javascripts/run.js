// Run buttons: a block the build marked browser="1" (a div.hb-run holding its code) runs in the reader's browser.
// The blocks run in a Web Worker (run_worker.js) that loads Pyodide, the tinygrad wheel and run_boot.py from this site
// (pyodide/) on the first click and stays for the visit; nothing else is fetched. Blocks of one session share a
// namespace, and a block's earlier marked session blocks run first (once), as in the build.
(() => {
  const base = new URL("..", document.currentScript.src).href;   // the site root: this file is javascripts/run.js
  let worker = null, next = 0;                                    // run_worker.js, started on the first click
  const waiting = new Map();                                       // message id -> resolve
  const ran = new Set();                                           // blocks run in this visit, by key

  function blocks() { return [...document.querySelectorAll("div.hb-run")]; }
  function key(el) { return location.pathname + "#" + blocks().indexOf(el); }
  function session(el) { return el.dataset.session ? location.pathname + "::" + el.dataset.session : null; }

  function execute(el) {   // -> Promise of [printed, ok]
    if (!worker) {
      worker = new Worker(base + "javascripts/run_worker.js");
      worker.onmessage = (e) => { waiting.get(e.data.id)([e.data.out, e.data.ok]); waiting.delete(e.data.id); };
    }
    const id = next++;
    worker.postMessage({id, base, code: el.dataset.code, session: session(el)});
    return new Promise(resolve => waiting.set(id, resolve)).then(r => { ran.add(key(el)); return r; });
  }

  let queue = Promise.resolve();   // one block at a time, in the order of the clicks
  function run(...args) { args[1].disabled = true; queue = queue.then(() => runNow(...args)); }

  async function runNow(el, button, status, output) {
    output.classList.remove("hb-run-error");
    const t0 = performance.now();
    try {
      status.textContent = worker ? "running…" : "loading Python and tinygrad into this page (about 15 MB, once), then running…";
      const s = el.dataset.session;
      for (const prev of blocks()) {              // earlier blocks of the session, once
        if (prev === el) break;
        if (s && prev.dataset.session === s && !ran.has(key(prev))) {
          const [out, ok] = await execute(prev);
          if (!ok) throw new Error("an earlier block of this session failed:\n" + out);
        }
      }
      const [out, ok] = await execute(el);
      output.textContent = out;
      if (!ok) output.classList.add("hb-run-error");
      const seconds = ((performance.now() - t0) / 1000).toFixed(1);
      const what = ok ? (out ? "printed" : "ran, printing nothing,") : "failed";
      status.textContent = `${what} in your browser (tinygrad 0.14.0, DEV=PYTHON) in ${seconds} s`;
      output.hidden = !out;
      el.dataset.state = ok ? "done" : "error";
    } catch (e) {
      output.textContent = String(e.message || e);
      output.hidden = false;
      output.classList.add("hb-run-error");
      status.textContent = "failed";
      el.dataset.state = "error";
    } finally {
      button.disabled = false;
    }
  }

  function setup() {
    for (const el of blocks()) {
      if (el.querySelector(":scope > .hb-run-bar")) continue;
      const bar = document.createElement("div");
      bar.className = "hb-run-bar";
      const button = document.createElement("button");
      button.className = "md-button hb-run-button";
      button.type = "button";
      button.textContent = "Run in the browser";
      button.title = "Runs this block with Pyodide and tinygrad 0.14.0 on DEV=PYTHON, in this page";
      const status = document.createElement("span");
      status.className = "hb-run-status";
      const about = document.createElement("a");
      about.href = base + "about/browser/";
      about.textContent = "what runs here?";
      const output = document.createElement("pre");
      output.className = "hb-run-output";
      output.hidden = true;
      button.addEventListener("click", () => run(el, button, status, output));
      bar.append(button, status, about);
      el.append(bar, output);
    }
  }

  if (typeof document$ !== "undefined") document$.subscribe(setup);   // Material's instant navigation
  else document.addEventListener("DOMContentLoaded", setup);
})();
