# syntax=docker/dockerfile:1
# The loss service on Node 24, which runs the TypeScript sources directly (type stripping):
# no build step, so the first stage only installs the production dependencies.

FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=dev leaves out the test tools and the pinned node binary (the image has its own Node 24).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:24-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
# The official image's unprivileged user (uid 1000).
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM drains in-flight requests, closes the worker pool and exits 0 (SHUTDOWN_GRACE_SECONDS).
STOPSIGNAL SIGTERM
# The V8 heap is sized from the memory budget, itself half the container's memory limit
# (MEMORY_BUDGET_BYTES overrides it): README, "Memory".
CMD ["sh", "-c", "exec node $(node src/heapFlag.ts) src/server.ts"]
