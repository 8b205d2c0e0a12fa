// The package's name for workerd, which resolves the bare `import('vexil')` of
// src/openfeature.js beside its importer, as the module `src/vexil`: registered under that name,
// this stands where a bundler for Workers (wrangler) puts the `workerd` entry. Its import is
// relative to that name.
export * from './entry/workerd.js';
