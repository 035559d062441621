import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { requirementsMet } from './requirements.js';
import type { Vote } from './types.js';

const vote = (id: string, groups: string[], choice: Vote['vote'] = 'approve'): Vote => ({ approver: { type: 'User', id }, groups, vote: choice, reason: '', time: '' });
const security = { groups: ['security'], quorum: 1 };
const leads = { groups: ['ml-leads'], quorum: 1 };

describe('approval requirements', () => {
  it('need every requirement met, each by its own approver', () => {
    assert.equal(requirementsMet([security, leads], [vote('lee', ['ml-leads'])]), false, 'one ml-leads vote does not release a security requirement');
    assert.equal(requirementsMet([security, leads], [vote('lee', ['ml-leads']), vote('sam', ['security'])]), true);
    assert.equal(requirementsMet([security, leads], [vote('both', ['ml-leads', 'security'])]), false, 'one person cannot fill two requirements');
    assert.equal(requirementsMet([security, leads], [vote('both', ['ml-leads', 'security']), vote('lee', ['ml-leads'])]), true, 'the dual member is moved to where they are needed');
    assert.equal(requirementsMet([{ groups: ['ml-leads'], quorum: 2 }], [vote('a', ['ml-leads']), vote('b', ['ml-leads'], 'deny')]), false);
  });

  it('agree with trying every assignment of voters to seats', () => {
    const groups = fc.subarray(['a', 'b', 'c'], { minLength: 1 });
    fc.assert(
      fc.property(
        fc.array(fc.record({ groups, quorum: fc.integer({ min: 1, max: 2 }) }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.subarray(['a', 'b', 'c']), { maxLength: 5 }),
        (requirements, voters) => {
          const seats = requirements.flatMap((r) => Array.from({ length: r.quorum }, () => r.groups));
          const brute = (seat: number, used: Set<number>): boolean =>
            seat === seats.length || voters.some((g, v) => !used.has(v) && seats[seat]!.some((x) => g.includes(x)) && brute(seat + 1, new Set([...used, v])));
          assert.equal(requirementsMet(requirements, voters.map((g, i) => vote(`v${i}`, g))), brute(0, new Set()));
        },
      ),
      { numRuns: 500 },
    );
  });
});
