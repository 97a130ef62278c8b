// The Web Worker of the Run buttons (run.js starts it on the first click): Pyodide, the tinygrad wheel and run_boot.py,
// all from this site's pyodide/ folder, then one block per message. Running here keeps the page responsive meanwhile.
let py = null, booted = null;

async function fetchOk(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${r.status} ${url}`);
  return r;
}

async function boot(base) {
  const dir = base + "pyodide/";
  importScripts(dir + "pyodide.js");
  const manifest = await (await fetchOk(dir + "handbook.json")).json();
  py = await loadPyodide({indexURL: dir, packages: []});
  py.unpackArchive(await (await fetchOk(dir + manifest.wheel)).arrayBuffer(), "wheel");
  py.runPython(await (await fetchOk(dir + "run_boot.py")).text(), {filename: "run_boot.py"});
}

// {id, base, code, session} -> {id, out, ok}; messages are answered in the order they came
onmessage = async (e) => {
  const {id, base, code, session} = e.data;
  try {
    booted = booted || boot(base).catch(err => { booted = null; throw err; });   // the next click tries again
    await booted;
    const [out, ok] = py.globals.get("run")(code, session).toJs();
    postMessage({id, out, ok});
  } catch (err) {
    postMessage({id, out: String(err.message || err), ok: false});
  }
};
