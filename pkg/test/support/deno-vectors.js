// Run by test/deno.test.js in Deno: the vectors through the package's Deno entry. Prints the
// runner's result as JSON.
import * as vexil from '../../src/entry/deno.js';
import { VECTOR_FILES, runVectors } from './vectors.js';

const files = {};
for (const [key, name] of Object.entries(VECTOR_FILES)) {
  files[key] = JSON.parse(await Deno.readTextFile(new URL(`../../../tests/vectors/${name}`, import.meta.url)));
}
console.log(JSON.stringify(runVectors(vexil, files)));
