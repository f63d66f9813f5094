// Graceful close. Fastify's close() stops accepting and waits for every connection to end, and
// answers new requests with 503. A keep-alive connection that was busy when close began would
// then idle until its keep-alive timeout (72 s) and hold the exit: so once closing, every answer
// says Connection: close, and idle connections are closed every 100 ms until the server is down.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';

async function lifecycle(app: FastifyInstance) {
  let closing = false;
  let sweeper: NodeJS.Timeout | undefined;
  app.addHook('preClose', async () => {
    closing = true;
    sweeper = setInterval(() => app.server.closeIdleConnections(), 100);
    sweeper.unref();
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  app.addHook('onClose', async () => clearInterval(sweeper));
}

export default fp(lifecycle, { name: 'lifecycle', fastify: '5.x' });
