import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeConditions, describeSeen } from '../src/index.js';

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

  it('names teams by the names it is given, and reads an id it does not know as written', () => {
    const tree = {
      all: [
        { field: 'conversation.team', op: 'eq', value: 'tm_billing' },
        { field: 'conversation.team', op: 'not_in', value: ['tm_support', 'tm_gone'] },
        { field: 'conversation.team', op: 'is_set' },
      ],
    } as never;
    const teams = [{ id: 'tm_billing', name: 'Billing' }, { id: 'tm_support', name: 'Support' }];
    assert.equal(describeConditions(tree, { teams }), 'team is Billing and team is neither Support nor tm_gone and team is set');
    assert.equal(describeConditions(tree), 'team is tm_billing and team is neither tm_support nor tm_gone and team is set');
  });
});

describe('describeSeen', () => {
  it('says a seen value in the sentence\'s words: labels, team names, lists, quoted texts cut short, none', () => {
    const teams = [{ id: 'team_1', name: 'Billing' }];
    const cases: [string, unknown, string][] = [
      ['conversation.language', 'es', 'Spanish'],
      ['contact.language', 'PT', 'Portuguese'],
      ['conversation.language', 'xx', 'xx'],
      ['conversation.channel', 'whatsapp', 'WhatsApp'],
      ['conversation.priority', 'urgent', 'Urgent'],
      ['conversation.team', 'team_1', 'Billing'],
      ['conversation.team', 'team_gone', 'team_gone'],
      ['contact.tags', ['vip', 'spanish'], 'vip, spanish'],
      ['conversation.subject', 'Refund', '"Refund"'],
      ['time.hour', 14, '14'],
      ['contact.attributes.seats', 150, '150'],
      ['contact.email', null, 'none'],
      ['contact.tags', [], 'none'],
      ['message.body', '   ', 'none'],
    ];
    for (const [field, actual, want] of cases) assert.equal(describeSeen(field, actual, { teams }), want, `${field} ${JSON.stringify(actual)}`);
    const long = describeSeen('message.body', 'x'.repeat(200));
    assert.equal(long.length, 80);
    assert.ok(long.startsWith('"xxx') && long.endsWith('…'));
  });
});
