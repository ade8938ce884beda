// Preloaded with `node --require` to record whether a process ever loads the TensorFlow engine.
const Module = require('node:module');
const originalLoad = Module._load;
let engineLoaded = false;
Module._load = function load(request, ...rest) {
  if (/^@tensorflow\/tfjs-node(-gpu)?$/.test(request)) engineLoaded = true;
  return originalLoad.call(this, request, ...rest);
};
process.on('exit', () => process.stderr.write(`\n[tracer] engine-loaded=${engineLoaded}\n`));
