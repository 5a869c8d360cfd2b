/**
 * `@baton/rules/explain`: `explainConditions` alone, for a page that evaluates conditions on first
 * use only (`<workflow-builder>`'s sample preview imports it with `import()`). It brings the
 * evaluator and its linear-time regex engine (re2js), which the rest of `@baton/rules` does not
 * need, so a bundler can leave them out of the page's first load.
 */
export { explainConditions } from './conditions.js';
