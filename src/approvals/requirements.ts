// When an approval is met: each requirement (one per permit that asked) needs its quorum of
// distinct approvers from its own groups, and no approver counts twice, even one who belongs to
// the groups of several requirements. Whether the approve votes cover every requirement is a
// bipartite matching of approvers to requirement seats (augmenting paths; a handful of seats).
import type { ApprovalRequirement } from '../model/decision.js';
import type { Approval, Vote } from './types.js';

/** The approval's requirements; approvals opened before requirements existed had one. */
export function requirementsOf(a: Pick<Approval, 'groups' | 'quorum'> & { readonly requirements?: readonly ApprovalRequirement[] }): readonly ApprovalRequirement[] {
  return a.requirements ?? [{ groups: a.groups, quorum: a.quorum }];
}

/** True when `groups` (an approver's, at vote time) may fill a seat of some requirement. */
export function mayApprove(requirements: readonly ApprovalRequirement[], groups: readonly string[]): boolean {
  return requirements.some((r) => r.groups.some((g) => groups.includes(g)));
}

/** True when the approve votes fill every seat of every requirement, each voter at most one seat. */
export function requirementsMet(requirements: readonly ApprovalRequirement[], votes: readonly Vote[]): boolean {
  const seats = requirements.flatMap((r) => Array.from({ length: r.quorum }, () => r.groups));
  // A vote recorded before votes carried groups was checked against every approving group when
  // cast, and its approval had one requirement: it fits any seat.
  const voters = votes.filter((v) => v.vote === 'approve').map((v) => v.groups);
  if (voters.length < seats.length) return false;
  const seatOf: number[] = new Array(voters.length).fill(-1);
  const voterOf: number[] = new Array(seats.length).fill(-1);
  const fits = (voter: number, seat: number) => {
    const groups = voters[voter];
    return groups === undefined || seats[seat]!.some((g) => groups.includes(g));
  };
  const assign = (seat: number, tried: Set<number>): boolean => {
    for (let v = 0; v < voters.length; v++) {
      if (tried.has(v) || !fits(v, seat)) continue;
      tried.add(v);
      if (seatOf[v] === -1 || assign(seatOf[v]!, tried)) {
        seatOf[v] = seat;
        voterOf[seat] = v;
        return true;
      }
    }
    return false;
  };
  for (let seat = 0; seat < seats.length; seat++) if (!assign(seat, new Set())) return false;
  return true;
}

/** `1 of ml-leads and 2 of security`: how channels, pages and the CLI name who must approve. */
export function describeRequirements(requirements: readonly ApprovalRequirement[]): string {
  return requirements.map((r) => `${r.quorum} of ${r.groups.join(', ') || '-'}`).join(' and ');
}
