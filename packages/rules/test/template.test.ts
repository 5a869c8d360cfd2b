import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { placeholders, renderTemplate } from '../src/index.js';

describe('renderTemplate', () => {
  const vars = { rule: { name: 'Spanish → bilingual' }, contact: { name: 'José', email: null, tags: ['vip', 'es'] }, agent: { name: undefined } };

  it('fills dotted placeholders, with or without spaces inside the braces', () => {
    assert.equal(renderTemplate('Routed by {{rule.name}} for {{ contact.name }}', vars), 'Routed by Spanish → bilingual for José');
  });

  it('renders null and undefined values empty, lists comma-separated', () => {
    assert.equal(renderTemplate('[{{contact.email}}][{{agent.name}}] {{contact.tags}}', vars), '[][] vip, es');
  });

  it('leaves unknown placeholders visible as written, so a typo shows', () => {
    assert.equal(renderTemplate('Hi {{contact.nmae}} / {{team.name}}', vars), 'Hi {{contact.nmae}} / {{team.name}}');
  });

  it('never evaluates code or reaches the prototype', () => {
    const tricky = '{{constructor.name}} {{contact.__proto__}} {{ 1+1 }} {{contact.name.constructor}} {{#each x}}';
    assert.equal(renderTemplate(tricky, vars), tricky);
  });

  it('lists the placeholders a body uses', () => {
    assert.deepEqual(placeholders('{{a.b}} and {{ c }} but not {{ d e }}'), ['a.b', 'c']);
  });
});
