# One image for the API and the workers; the command picks the role (see docker-compose.yml).
FROM node:20-bookworm-slim
ENV NODE_ENV=production AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
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
RUN npm run build:web
USER node
ENTRYPOINT ["node", "bin/payerguard.js"]
CMD ["api"]
