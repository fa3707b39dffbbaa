/** The command these helpers use, as an ioredis client has it (this folder cannot import ioredis). */
export interface ClientAdmin {
  client(subcommand: 'LIST'): Promise<unknown>;
  client(subcommand: 'KILL', by: 'ID', id: string): Promise<unknown>;
}

/** CLIENT LIST entries whose name starts with `name` (a test's own connections only: the server is shared). */
export async function clientsNamed(admin: ClientAdmin, name: string): Promise<Array<{ id: string; name: string; flags: string; psub: number }>> {
  const list = (await admin.client('LIST')) as string;
  return list
    .split('\n')
    .filter(Boolean)
    .map((line) => Object.fromEntries(line.split(' ').map((kv) => kv.split('=') as [string, string])))
    .filter((c) => typeof c.name === 'string' && c.name.startsWith(name))
    .map((c) => ({ id: c.id!, name: c.name!, flags: c.flags ?? '', psub: Number(c.psub ?? 0) }));
}

/** Kills the named connections (CLIENT KILL ID), optionally only pub/sub ones. Returns how many. */
export async function killClients(admin: ClientAdmin, name: string, only?: 'pubsub' | 'normal'): Promise<number> {
  const clients = await clientsNamed(admin, name);
  let killed = 0;
  for (const c of clients) {
    const isPubSub = c.flags.includes('P');
    if (only === 'pubsub' && !isPubSub) continue;
    if (only === 'normal' && isPubSub) continue;
    killed += Number(await admin.client('KILL', 'ID', c.id));
  }
  return killed;
}
