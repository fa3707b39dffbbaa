/** What these helpers use of amqplib (this folder cannot import it): `import amqp from 'amqplib'` fits. */
export interface Amqp<Channel extends AmqpChannel = AmqpChannel> {
  connect(url: string): Promise<{ createChannel(): Promise<Channel>; close(): Promise<void> }>;
}

export interface AmqpChannel {
  deleteQueue(queue: string): Promise<unknown>;
  deleteExchange(exchange: string): Promise<unknown>;
  close(): Promise<void>;
}

/** Runs `job` on a channel of a plain amqplib connection of its own, closed afterwards. */
export async function withChannel<Channel extends AmqpChannel, T>(amqp: Amqp<Channel>, url: string, job: (ch: Channel) => Promise<T>): Promise<T> {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createChannel();
    const out = await job(channel);
    await channel.close();
    return out;
  } finally {
    await connection.close();
  }
}

/** A bus that can say which queues and exchanges it declared (`RabbitMQEventBus#declaredTopology`). */
export interface DeclaresTopology {
  declaredTopology(): { queues: Iterable<string>; exchanges: Iterable<string> };
}

/** Deletes the queues and exchanges the buses declared, and any named by hand; nothing when there are none. */
export async function deleteTopology(
  amqp: Amqp,
  url: string,
  buses: Iterable<DeclaresTopology>,
  extra: { queues?: Iterable<string>; exchanges?: Iterable<string> } = {},
): Promise<void> {
  const queues = new Set(extra.queues ?? []);
  const exchanges = new Set(extra.exchanges ?? []);
  for (const bus of buses) {
    const declared = bus.declaredTopology();
    for (const q of declared.queues) queues.add(q);
    for (const e of declared.exchanges) exchanges.add(e);
  }
  if (queues.size === 0 && exchanges.size === 0) return;
  await withChannel(amqp, url, async (ch) => {
    for (const q of queues) await ch.deleteQueue(q);
    for (const e of exchanges) await ch.deleteExchange(e);
  });
}
