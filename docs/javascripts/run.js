// Run buttons: a block the build marked browser="1" (a div.hb-run holding its code) runs in the reader's browser.
// Pyodide, the tinygrad wheel and run_boot.py all come from this site (pyodide/); nothing else is fetched.
// Pyodide loads on the first click and stays for the visit; blocks of one session share a namespace, and a block's
// earlier session blocks run first (once), as in the build.
(() => {
  const base = new URL("..", document.currentScript.src).href;   // the site root: this file is javascripts/run.js
  let python = null;                                               // a promise of the booted runtime
  const ran = new Set();                                           // blocks run in this visit, by key

  function load(src) {
    return new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = () => reject(new Error(`could not load ${src}`));
      document.head.appendChild(s);
    });
  }

  async function fetchOk(url) {
    const r = await fetch(url);
    if (!r.ok) throw new Error(`${r.status} ${url}`);
    return r;
  }

  async function boot() {
    const manifest = await (await fetchOk(base + "pyodide/handbook.json")).json();
    await load(base + "pyodide/pyodide.js");
    const py = await loadPyodide({indexURL: base + "pyodide/", packages: [], checkAPIVersion: true});
    py.unpackArchive(await (await fetchOk(base + "pyodide/" + manifest.wheel)).arrayBuffer(), "wheel");
    py.runPython(await (await fetchOk(base + "pyodide/run_boot.py")).text(), {filename: "run_boot.py"});
    return py;
  }

  function blocks() { return [...document.querySelectorAll("div.hb-run")]; }
  function key(el) { return location.pathname + "#" + blocks().indexOf(el); }
  function session(el) { return el.dataset.session ? location.pathname + "::" + el.dataset.session : null; }

  function execute(py, el) {
    const [out, ok] = py.globals.get("run")(el.dataset.code, session(el)).toJs();
    ran.add(key(el));
    return [out, ok];
  }

  async function run(el, button, status, output) {
    button.disabled = true;
    output.classList.remove("hb-run-error");
    const t0 = performance.now();
    try {
      if (!python) {
        status.textContent = "loading Python and tinygrad into this page (about 15 MB, once)…";
        python = boot();
        python.catch(() => { python = null; });
      }
      const py = await python;
      status.textContent = "running…";
      await new Promise(r => setTimeout(r, 0));   // let the browser paint the status first
      const s = el.dataset.session;
      for (const prev of blocks()) {              // earlier blocks of the session, once
        if (prev === el) break;
        if (s && prev.dataset.session === s && !ran.has(key(prev))) {
          const [out, ok] = execute(py, prev);
          if (!ok) throw new Error("an earlier block of this session failed:\n" + out);
        }
      }
      const [out, ok] = execute(py, el);
      output.textContent = out;
      output.hidden = false;
      if (!ok) output.classList.add("hb-run-error");
      const seconds = ((performance.now() - t0) / 1000).toFixed(1);
      status.textContent = `${ok ? "printed" : "failed"} in your browser (tinygrad 0.14.0, DEV=PYTHON) in ${seconds} s`;
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
