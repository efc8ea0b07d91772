# One image for the API and the workers; the command picks the role (see docker-compose.yml).
FROM node:20-bookworm-slim
ENV AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
WORKDIR /app
COPY package.json package-lock.json ./
COPY core/package.json core/
COPY sim/package.json sim/
COPY workers/package.json workers/
COPY server/package.json server/
COPY web/package.json web/
COPY cli/package.json cli/
COPY test/package.json test/
# Dev dependencies are needed at run time too: tsx runs the TypeScript sources, vite builds the dashboard.
RUN npm ci --no-audit --no-fund --include=dev
COPY . .
RUN npm run build:web
ENV NODE_ENV=production
USER node
ENTRYPOINT ["node", "bin/payerguard.js"]
CMD ["api"]
