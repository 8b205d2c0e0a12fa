export * from './engine.js';
export * from './client.js';
