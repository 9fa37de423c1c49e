# One image, three entry points (web, worker, bot); docker-compose.yml picks one per service.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only (tsx runs the TypeScript sources; no build step to drift from them).
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json .env.example ./
COPY app ./app
COPY bot ./bot
COPY charts ./charts
COPY cli ./cli
COPY coach ./coach
COPY console ./console
COPY db ./db
COPY exports ./exports
COPY imports ./imports
COPY ingest ./ingest
COPY lib ./lib
COPY metrics ./metrics
COPY planning ./planning
USER node
EXPOSE 3000
CMD ["node", "--import", "tsx", "cli/main.ts", "start"]
