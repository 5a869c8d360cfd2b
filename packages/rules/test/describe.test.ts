import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeConditions } from '../src/index.js';

describe('describeConditions', () => {
  it('renders a tree as the builder reads it, with labels for enum values', () => {
    const tree = {
      all: [
        { field: 'conversation.channel', op: 'eq', value: 'sms' },
        { any: [{ field: 'contact.language', op: 'eq', value: 'es' }, { field: 'contact.tags', op: 'contains_any', value: ['spanish'] }] },
      ],
    } as never;
    assert.equal(describeConditions(tree), 'channel is SMS and (contact language is Spanish or contact tags include spanish)');
  });

  it('lists, ranges, words, patterns, negation and emptiness', () => {
    const tree = {
      all: [
        { field: 'conversation.channel', op: 'not_in', value: ['sms', 'email'] },
        { field: 'time.hour', op: 'between', value: [9, 17] },
        { field: 'message.body', op: 'contains_any', value: ['refund', 'money back'] },
        { field: 'message.body', op: 'matches', value: '#\\d+' },
        { not: { field: 'contact.tags', op: 'contains_any', value: ['spam'] } },
        { field: 'contact.email', op: 'is_empty' },
        { field: 'contact.attributes.plan', op: 'eq', value: 'pro' },
      ],
    } as never;
    assert.equal(
      describeConditions(tree),
      'channel is neither SMS nor Email and hour is between 9 and 17 and message contains any of "refund" or "money back" and message matches /#\\d+/ and not (contact tags include spam) and contact email is empty and plan is "pro"',
    );
    assert.equal(describeConditions(undefined), 'always');
  });
});
