# One image for every role: `node dist/start.mjs` (migrate, then web and worker together), or
# `node dist/web.mjs` / `node dist/worker.mjs` / `node dist/migrate.mjs` alone (compose sets which).
# `npm run test:setup` checks, without Docker, that each step has the files it needs.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci's postinstall applies patches/ (a fix to postgres.js the Postgres-kill scenario needs).
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/.next ./.next
COPY --from=build /app/public ./public
COPY --from=build /app/dist ./dist
COPY --from=build /app/drizzle ./drizzle
# Next compiles next.config.ts when the server starts, with the one source it imports.
COPY --from=build /app/next.config.ts ./
COPY --from=build /app/lib/http/action-request.ts ./lib/http/
EXPOSE 3000
# node itself, not npm: `docker stop`'s SIGTERM must reach the process that shuts down cleanly
# (npm's shell does not pass it on).
CMD ["node", "dist/start.mjs"]
