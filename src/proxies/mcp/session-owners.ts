// Which principal opened each MCP session. A session is bound to whoever initialized it: a request
// that presents another principal's `Mcp-Session-Id` is answered as if the session did not exist,
// so a leaked session id neither reads another agent's stream nor acts inside its session. The
// ids themselves never enter a record: records carry a short digest of them.
import { createHash } from 'node:crypto';
import { LruCache } from '../../lib/lru-cache.js';
import { principalUid, type Principal } from '../../model/principal.js';

export class SessionOwners {
  private readonly owners = new LruCache<string, string>(100_000);

  claim(session: string, principal: Principal): void {
    this.owners.set(session, ownerKey(principal));
  }

  /** False only for a session known to belong to someone else. */
  mayUse(session: string, principal: Principal): boolean {
    const owner = this.owners.get(session);
    return owner === undefined || owner === ownerKey(principal);
  }

  forget(session: string): void {
    this.owners.delete(session);
  }
}

function ownerKey(p: Principal): string {
  return principalUid(p);
}

/** What records show of a session id: enough to tell sessions apart, nothing to present. */
export function sessionDigest(session: string | undefined): string | undefined {
  return session === undefined ? undefined : createHash('sha256').update(session).digest('hex').slice(0, 16);
}
