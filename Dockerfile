# One image, three entry points (web, worker, bot); docker-compose.yml picks one per service.
# Production runs the compiled build (dist/, from `npm run build`): plain JavaScript, no TypeScript loader.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY activities ./activities
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
RUN npm run build

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# .env.example documents the settings (the configuration error messages quote it).
COPY package.json .env.example ./
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
# Memory over speed (README, "Memory"): 1 MB young-generation semi-spaces instead of 16 and V8's
# optimize-for-size heap growth; docker-compose.yml passes the same flags.
CMD ["node", "--max-semi-space-size=1", "--optimize-for-size", "dist/main.js", "start"]
