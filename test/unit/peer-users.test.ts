// The order a user leaves a shared peer in (dev/stack/peer-users.ts): its own clean-up runs while it is
// still registered, so another user leaving meanwhile does not stop the peer under it; the last user out
// stops the peer instead of cleaning up. Real state files and locks in a temporary folder, a fake peer.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PeerStateFiles } from '../../dev/stack/peer-state.js';
import { registerPeerUser, releasePeer, releasePeerAfterCleanUp, type SharedPeer } from '../../dev/stack/peer-users.js';
import { silentLogger } from '../../shared/logging.js';

const stateSchema = z.object({ pid: z.number(), keep: z.boolean(), startedByRun: z.string().optional() });
type FakeState = z.infer<typeof stateSchema>;

async function fakePeer(users: string[], events: string[]): Promise<SharedPeer<FakeState>> {
  const files = new PeerStateFiles(await mkdtemp(path.join(tmpdir(), 'peer-users-')), stateSchema, { timeoutMs: 5_000 });
  await files.locked(() => files.write({ pid: process.pid, keep: false, startedByRun: users[0] }));
  for (const user of users) await registerPeerUser(files.runsDir, user);
  return {
    name: 'fake peer',
    files,
    stop: async () => {
      events.push('peer stopped');
      await files.forget();
    },
  };
}

describe('leaving a shared peer', () => {
  it('cleans up before releasing: a user leaving meanwhile does not stop the peer mid-clean-up', async () => {
    const events: string[] = [];
    const peer = await fakePeer(['run-a', 'run-b'], events);
    const stopped = await releasePeerAfterCleanUp(peer, 'run-a', silentLogger(), async () => {
      events.push('run-a cleaning up');
      // run-b finishes while run-a deletes its objects: run-a is still a user, so run-b is not the last.
      events.push(`run-b released, stopped: ${await releasePeer(peer, 'run-b', silentLogger())}`);
      events.push('run-a cleaned up');
    });
    expect(events).toEqual(['run-a cleaning up', 'run-b released, stopped: false', 'run-a cleaned up', 'peer stopped']);
    expect(stopped).toBe(true);
  });

  it('the last user out stops the peer and skips the clean-up', async () => {
    const events: string[] = [];
    const peer = await fakePeer(['run-a'], events);
    const stopped = await releasePeerAfterCleanUp(peer, 'run-a', silentLogger(), async () => {
      events.push('run-a cleaned up');
    });
    expect(events).toEqual(['peer stopped']);
    expect(stopped).toBe(true);
  });

  it('a peer a person keeps is never stopped: the user cleans up and leaves it running', async () => {
    const events: string[] = [];
    const peer = await fakePeer(['run-a'], events);
    await peer.files.locked(() => peer.files.write({ pid: process.pid, keep: true, startedByRun: 'run-a' }));
    const stopped = await releasePeerAfterCleanUp(peer, 'run-a', silentLogger(), async () => {
      events.push('run-a cleaned up');
    });
    expect(events).toEqual(['run-a cleaned up']);
    expect(stopped).toBe(false);
  });
});
