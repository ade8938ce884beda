// Preloaded with `node --require` to record whether a process ever loads the TensorFlow engine,
// and which npm packages it loads at all (what a light command should not pay for).
const Module = require('node:module');
const originalLoad = Module._load;
let engineLoaded = false;
const packages = new Set();
Module._load = function load(request, ...rest) {
  if (/^@tensorflow\/tfjs-node(-gpu)?$/.test(request)) engineLoaded = true;
  const name = /^(@[^/]+\/[^/]+|[^./][^/]*)/.exec(request)?.[1];
  if (name && !Module.isBuiltin(request)) packages.add(name);
  return originalLoad.call(this, request, ...rest);
};
process.on('exit', () =>
  process.stderr.write(
    `\n[tracer] engine-loaded=${engineLoaded}\n[tracer] packages=${[...packages].sort().join(',')}\n`,
  ),
);
