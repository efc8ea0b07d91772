# One image for the API, the workers, migrations and the simulator; the command picks the role (docker-compose.yml).
# It runs compiled JavaScript (`npm run build`: dist/ and web/dist) with production dependencies only: no TypeScript,
# no tsx, no test or build tooling in the final stage.

# 1. Build: every dependency, then the server bundle (dist/) and the dashboard (web/dist).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY core/package.json core/
COPY sim/package.json sim/
COPY workers/package.json workers/
COPY server/package.json server/
COPY web/package.json web/
COPY cli/package.json cli/
COPY test/package.json test/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# 2. Production dependencies of the root and the workspaces the bundle comes from (not web/ or test/).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY core/package.json core/
COPY sim/package.json sim/
COPY workers/package.json workers/
COPY server/package.json server/
COPY web/package.json web/
COPY cli/package.json cli/
COPY test/package.json test/
RUN npm ci --omit=dev --no-audit --no-fund -w core -w sim -w workers -w server -w cli --include-workspace-root

# 3. What runs: node_modules, the bundle, the built dashboard and the migrations (found from dist/ by walking up to
# core/drizzle, see core/src/install-root.ts).
FROM node:20-bookworm-slim
ENV NODE_ENV=production
ENV AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
WORKDIR /app
COPY package.json ./
COPY --from=deps /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/web/dist web/dist
COPY core/drizzle core/drizzle
USER node
ENTRYPOINT ["node", "--enable-source-maps", "dist/payerguard.mjs"]
CMD ["api"]
