// Parents of nested groups that join a round without a change of their own (nesting index, child -> parents):
//  - a group whose written-back state flips: its parents resolve it again (an anchor reference appears or goes);
//  - a group whose AD group landed (nested-creations.ts): its parents send its reference again, since the relay
//    may have applied their change set before the group existed.
// Parents already in the round get the child added to their lists; the others join from their planned state
// (no Graph read), except those this round left unknown.
import type { DeltaRoundDeps } from './round-deps.js';
import { mapLimit } from '../../concurrency.js';
import { viewGroups, type Candidate, type GroupView, type UnknownGroup, type ViewContext } from './round-groups.js';

export interface NestedChildren {
  /** Written-back state flips in this round. */
  flipped: readonly string[];
  /** AD group landed since its parents referenced it. */
  landed: readonly string[];
}

type Lists = { reResolve: string[]; resend: string[] };

async function parentsOf(deps: DeltaRoundDeps, children: NestedChildren): Promise<Map<string, Lists>> {
  const parents = new Map<string, Lists>();
  const add = async (child: string, list: keyof Lists): Promise<void> => {
    for (const parent of await deps.store.nesting.parentsOf(deps.tenantId, child)) {
      let lists = parents.get(parent);
      if (lists === undefined) parents.set(parent, (lists = { reResolve: [], resend: [] }));
      lists[list].push(child);
    }
  };
  await mapLimit(children.flipped, 8, (child) => add(child, 'reResolve'));
  await mapLimit(children.landed, 8, (child) => add(child, 'resend'));
  return parents;
}

export interface JoinedParents {
  views: GroupView[];
  unknown: UnknownGroup[];
  /** Landed children one of whose parents is left unknown by this round: not sent to that parent yet. */
  notResent: Set<string>;
}

export async function joinParents(
  deps: DeltaRoundDeps,
  ctx: ViewContext,
  views: GroupView[],
  unknown: ReadonlySet<string>,
  children: NestedChildren,
): Promise<JoinedParents> {
  const notResent = new Set<string>();
  if (children.flipped.length === 0 && children.landed.length === 0) return { views: [], unknown: [], notResent };
  const parents = await parentsOf(deps, children);
  const inRound = new Map(views.map((v) => [v.id, v]));
  const joining: Candidate[] = [];
  for (const [parent, lists] of parents) {
    const view = inRound.get(parent);
    if (view !== undefined) {
      view.reResolve.push(...lists.reResolve);
      view.resend.push(...lists.resend);
    } else if (!unknown.has(parent)) joining.push({ id: parent, source: 'nested', change: null, ...lists });
    else for (const child of lists.resend) notResent.add(child);
  }
  if (joining.length === 0) return { views: [], unknown: [], notResent };
  const previous = await deps.store.groups.loadMany(deps.tenantId, joining.map((c) => c.id));
  const joined = await viewGroups({ ...ctx, previous }, joining.filter((c) => previous.has(c.id)));
  for (const u of joined.unknown) for (const child of parents.get(u.id)?.resend ?? []) notResent.add(child);
  return { ...joined, notResent };
}
