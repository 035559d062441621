// Throwaway databases for the contract tests and the append benchmark: each gets a fresh,
// randomly named database next to the one in the URL, so nothing touches real data and runs
// can overlap. Needs a role allowed to CREATE DATABASE.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface ScratchDatabase {
  readonly name: string;
  /** The input URL pointing at the scratch database. */
  readonly url: string;
  /** Drops it, disconnecting anyone still on it. */
  drop(): Promise<void>;
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}

// A closed pool's last sockets may still be saying goodbye: give them a moment before forcing
// them off, so their owners do not see (and report) a terminated connection.
async function drop(url: string, name: string): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      return await admin(url, `DROP DATABASE IF EXISTS ${name}`);
    } catch (err) {
      if ((err as { code?: string }).code !== '55006') throw err; // object_in_use
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  await admin(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

export async function createScratchDatabase(url: string, prefix = 'airlock_t'): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin(url, `CREATE DATABASE ${name}`);
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  return {
    name,
    url: scratch.toString(),
    drop: () => drop(url, name),
  };
}
